import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// `/admin/t/{external_id}/sandboxes/…`: a new sandbox, one sandbox's page (state, spec, output, actions), its
/// files and its terminal. Every page acts as the caller focused on the path's tenant, so another tenant's sandbox
/// (or a malformed id) is the services' 404.
extension ConsoleController {
    func addSandboxRoutes(to console: RouterGroup<AppRequestContext>) {
        console.get("t/:external_id/sandboxes/new") { request, context in
            try await newSandboxPage(request, externalID: context.parameters.get("external_id") ?? "")
        }
        console.post("t/:external_id/sandboxes/new") { request, context in
            try await createSandbox(request, externalID: context.parameters.get("external_id") ?? "")
        }
        console.get("t/:external_id/sandboxes/:sandbox_id") { request, context in
            try await sandboxPage(request, SandboxPageAddress(context))
        }
        console.post("t/:external_id/sandboxes/:sandbox_id/actions/:action") { request, context in
            try await sandboxAction(request, SandboxPageAddress(context), action: context.parameters.get("action") ?? "")
        }
        addSandboxOutputRoutes(to: console)
        addSandboxFileRoutes(to: console)
        addSandboxTerminalRoutes(to: console)
    }

    // MARK: new sandbox

    func newSandboxPage(
        _ request: Request, externalID: String, form: NewSandboxPage.Values = .defaults, message: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        try await shellPage(request, route: Self.tenantRoute(request, externalID: externalID)) { page in
            let base = ShellNavigation.tenantEntry(page.context.tenant!)
            return ConsoleResponse.page(renderer.render("sandbox-new", NewSandboxPage(
                chrome: page.chrome("New sandbox"), base: base, message: message, form: form
            )), status: status)
        }
    }

    func createSandbox(_ request: Request, externalID: String) async throws -> Response {
        let (form, caller) = try await tenantPost(request, externalID: externalID)
        let values = NewSandboxPage.Values(form)
        do {
            let spec = try SandboxSpec(
                name: values.name.isEmpty ? nil : values.name, template: nil, command: values.arguments,
                cpu: try CPUQuantity(parsing: values.cpu), memory: try ByteQuantity(parsing: values.memory), storage: nil,
                environment: nil, labels: nil, network: values.network, idleTimeoutSeconds: nil, idleAction: nil,
                region: nil, clusterID: nil, requiredCapabilities: nil
            )
            let sandbox = try await useCases.sandboxes.create(spec, caller: caller)
            return ConsoleResponse.redirect(to: "/admin/t/\(externalID)/sandboxes/\(sandbox.id.rawValue)")
        } catch let error as DomainError where Self.isFixable(error) {
            return try await newSandboxPage(request, externalID: externalID, form: values, message: error.message, status: ErrorResponse(error).status)
        }
    }

    // MARK: one sandbox

    func sandboxPage(_ request: Request, _ address: SandboxPageAddress, message: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        try await shellPage(request, route: Self.tenantRoute(request, externalID: address.externalID)) { page in
            let id: SandboxID = try pathID(address.sandboxID, "sandbox")
            let sandbox = try await useCases.sandboxes.sandbox(id, caller: page.caller)
            let agentName = try? await useCases.agents.agents(in: nil, caller: page.caller).first { $0.id == sandbox.agentID }?.name
            let base = ShellNavigation.tenantEntry(page.context.tenant!)
            return ConsoleResponse.page(renderer.render("sandbox-detail", SandboxDetailPage(
                chrome: page.chrome(sandbox.spec.name ?? "Sandbox"), base: base, message: message,
                sandbox: SandboxView(sandbox, base: base, agentName: agentName),
                actions: SandboxDetailPage.actions
            )), status: status)
        }
    }

    func sandboxAction(_ request: Request, _ address: SandboxPageAddress, action: String) async throws -> Response {
        let (_, caller) = try await tenantPost(request, externalID: address.externalID)
        let id: SandboxID = try pathID(address.sandboxID, "sandbox")
        do {
            switch action {
            case "stop": _ = try await useCases.sandboxes.request(.stop, id, caller: caller)
            case "hibernate": _ = try await useCases.sandboxes.request(.hibernate, id, caller: caller)
            case "wake": _ = try await useCases.sandboxes.request(.wake, id, caller: caller)
            case "delete":
                try await useCases.sandboxes.delete(id, caller: caller)
                return ConsoleResponse.redirect(to: "/admin/t/\(address.externalID)")
            default: throw DomainError.notFound("No action '\(action.prefix(32))' for sandboxes.")
            }
            return ConsoleResponse.redirect(to: address.page)
        } catch let error as DomainError where Self.isFixable(error) {
            return try await sandboxPage(request, address, message: error.message, status: ErrorResponse(error).status)
        }
    }

    // MARK: pieces

    /// A post to a tenant page: its form (CSRF checked first) and the caller focused on the path's tenant (404 when
    /// the tenant is not the visitor's to use).
    func tenantPost(_ request: Request, externalID: String) async throws -> (ConsoleForm, Caller) {
        let visitor = try await requireVisitor(request)
        let form = try await ConsoleForm.read(request)
        try visitor.checkForgery(request, formToken: form.csrfToken)
        return (form, try await tenantCaller(request, visitor: visitor, externalID: externalID))
    }

    /// The caller focused on the path's tenant, for the routes that answer JSON or bytes rather than a page.
    func tenantCaller(_ request: Request, visitor: ConsoleVisitor, externalID: String) async throws -> Caller {
        try await focused(Self.tenantRoute(request, externalID: externalID), visitor: visitor).caller
    }

    /// Refusals a person can act on from the page they came from (everything else is the error page).
    static func isFixable(_ error: DomainError) -> Bool {
        [.invalidInput, .conflict, .tooLarge, .unavailable].contains(error.kind)
    }
}

/// The tenant and sandbox of a sandbox page's path.
struct SandboxPageAddress {
    let externalID: String
    let sandboxID: String

    init(_ context: AppRequestContext) {
        externalID = context.parameters.get("external_id") ?? ""
        sandboxID = context.parameters.get("sandbox_id") ?? ""
    }

    var page: String { "/admin/t/\(externalID)/sandboxes/\(sandboxID)" }
}
