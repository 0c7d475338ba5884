import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// The shell-context contract's routes: the workspace home, the two choosers, and switching, selecting and clearing.
extension ConsoleController {
    func addShellRoutes(to console: RouterGroup<AppRequestContext>) {
        console.get { request, _ in try await home(request) }
        console.get("choose-workspace") { request, _ in try await chooseWorkspace(request) }
        console.get("choose-tenant") { request, _ in try await chooseTenant(request) }
        console.post("switch-workspace") { request, _ in try await switchWorkspace(request) }
        console.post("select-tenant") { request, _ in try await selectTenant(request) }
        console.post("clear-tenant-context") { request, _ in try await clearTenant(request) }
    }

    /// `?tenant=` names a tenant by external id, `?tenant_id=` by number (or external id); the first one given wins.
    static func queryHint(_ request: Request) -> ContextIdentifier? {
        let query = request.uri.queryParameters
        if let text = query["tenant"].map(String.init), !text.isEmpty { return .text(String(text.prefix(128))) }
        if let value = query["tenant_id"].map(String.init), !value.isEmpty { return ContextIdentifier(String(value.prefix(128))) }
        return nil
    }

    func home(_ request: Request) async throws -> Response {
        let route = ShellRoute(category: .workspaceScoped, intendedURL: request.uri.description, allowsQueryHint: true)
        return try await shellPage(request, route: route, queryHint: Self.queryHint(request)) { page in
            let workspace = page.context.workspace
            let tenants = workspace.map { page.resolution.directory.tenants(of: $0) } ?? []
            return ConsoleResponse.page(renderer.render("workspace-home", WorkspaceHomePage(
                chrome: page.chrome(workspace?.name ?? "Organization"),
                tenants: tenants.map(TenantRow.init),
                ineligible: page.context.rememberedContext?.invalidReason
            )))
        }
    }

    func chooseWorkspace(_ request: Request) async throws -> Response {
        let visitor = try await requireVisitor(request)
        let route = ShellRoute(category: .workspaceChooserException, intendedURL: ConsolePaths.workspaceChooser, isChooser: true)
        let resolution = try await useCases.shellContext.resolve(ShellContextRequest(route: route), caller: visitor.caller)
        if ConsoleResponse.wantsJSON(request) { return try ConsoleResponse.json(ShellContextEnvelope(resolvedContext: resolution.context)) }
        let next = ShellNavigation.safeConsolePath(request.uri.queryParameters["next"].map(String.init)) ?? ""
        let current = resolution.context.workspace?.id
        return ConsoleResponse.page(renderer.render("choose-workspace", WorkspaceChooserPage(
            chrome: ConsoleChrome(title: "Choose an organization", visitor: visitor, context: resolution.context, directory: resolution.directory, path: route.intendedURL),
            missing: !resolution.context.isResolved,
            next: next,
            choices: resolution.directory.workspaces.map {
                WorkspaceChooserPage.Choice(id: $0.id, name: $0.name, slug: $0.slug, kind: $0.kind.rawValue, current: $0.id == current, next: next)
            }
        )))
    }

    func chooseTenant(_ request: Request) async throws -> Response {
        let route = ShellRoute(category: .workspaceScoped, intendedURL: ConsolePaths.tenantChooser, isChooser: true)
        return try await shellPage(request, route: route) { page in
            let tenants = page.context.workspace.map { page.resolution.directory.tenants(of: $0) } ?? []
            return ConsoleResponse.page(renderer.render("choose-tenant", TenantChooserPage(
                chrome: page.chrome("Choose a tenant"), choices: tenants.map(TenantRow.init)
            )))
        }
    }

    func switchWorkspace(_ request: Request) async throws -> Response {
        let visitor = try await requireVisitor(request)
        let form = try await ConsoleForm.read(request)
        try visitor.checkForgery(request, formToken: form.csrfToken)
        guard let value = form["workspace_id"], let number = Int64(value), number >= 1 else {
            throw UnprocessableForm(message: "workspace_id must be the number of one of your organizations.")
        }
        let destination = try await useCases.shellContext.switchWorkspace(to: .number(number), intended: form["next"], caller: visitor.caller)
        return ConsoleResponse.redirect(to: destination)
    }

    func selectTenant(_ request: Request) async throws -> Response {
        let visitor = try await requireVisitor(request)
        let form = try await ConsoleForm.read(request)
        try visitor.checkForgery(request, formToken: form.csrfToken)
        guard let value = form["tenant_id"], let number = Int64(value), number >= 1 else {
            throw UnprocessableForm(message: "tenant_id must be the number of a tenant of this organization.")
        }
        return ConsoleResponse.redirect(to: try await useCases.shellContext.selectTenant(.number(number), caller: visitor.caller))
    }

    func clearTenant(_ request: Request) async throws -> Response {
        let visitor = try await requireVisitor(request)
        let form = try await ConsoleForm.read(request)
        try visitor.checkForgery(request, formToken: form.csrfToken)
        let directive = try await useCases.shellContext.clearTenant(returnTo: form["return_to"].flatMap(ConsolePaths.route(for:)), caller: visitor.caller)
        return ConsoleResponse.redirect(to: directive.destination ?? ConsolePaths.workspaceHome)
    }
}

/// A tenant in a list or a chooser.
struct TenantRow {
    let id: Int64
    let name: String
    let externalId: String
    let status: String
    let operable: Bool
    let href: String

    init(_ tenant: TenantReference) {
        (id, name, externalId, status, operable) = (tenant.id, tenant.name, tenant.externalID, tenant.status.rawValue, tenant.status.isOperable)
        href = ShellNavigation.tenantEntry(tenant)
    }
}

struct WorkspaceHomePage {
    let chrome: ConsoleChrome
    let tenants: [TenantRow]
    let ineligible: String?
}

struct WorkspaceChooserPage {
    struct Choice { let id: Int64; let name: String; let slug: String; let kind: String; let current: Bool; let next: String }
    let chrome: ConsoleChrome
    let missing: Bool
    let next: String
    let choices: [Choice]
}

struct TenantChooserPage {
    let chrome: ConsoleChrome
    let choices: [TenantRow]
}
