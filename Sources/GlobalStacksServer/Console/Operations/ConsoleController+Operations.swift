import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// Operation runs (`OperationService`, as the v1 API's runs use it): the runs of the tenant in context, and one run
/// shown in its own tenant with its legitimacy decision in words.
extension ConsoleController {
    func addOperationRoutes(to console: RouterGroup<AppRequestContext>) {
        console.get("operations") { request, _ in try await operationRuns(request) }
        console.get("operations/:run_id") { request, context in try await operationRun(request, runID: context.parameters.get("run_id") ?? "") }
    }

    /// Workspace-scoped: the tenant comes from `?tenant=`/`?tenant_id=` or the remembered one; without one the page
    /// asks to choose a tenant.
    func operationRuns(_ request: Request) async throws -> Response {
        let route = ShellRoute(category: .workspaceScoped, intendedURL: request.uri.description, allowsQueryHint: true)
        return try await shellPage(request, route: route, queryHint: Self.queryHint(request)) { page in
            let asked = request.uri.queryParameters["status"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let wanted = asked.flatMap(RunExecutionStatus.init(rawValue:))
            guard asked == nil || wanted != nil else {
                throw DomainError.invalidInput("status must be one of \(RunExecutionStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            let runs = page.context.tenant == nil ? [] : try await useCases.operations.runs(status: wanted, operationType: nil, limit: 200, caller: page.caller)
            let names = Self.operationNames(useCases.operations.operationTypes(caller: page.caller))
            return ConsoleResponse.page(renderer.render("operation-runs", OperationRunsPage(
                chrome: page.chrome("Operation runs"), tenantless: page.context.tenant == nil, chooseTenantHref: ConsolePaths.tenantChooser,
                statuses: [OperationRunsPage.StatusOption(value: "", label: "Any status", selected: wanted == nil)] + RunExecutionStatus.allCases.map {
                    OperationRunsPage.StatusOption(value: $0.rawValue, label: $0.rawValue, selected: $0 == wanted)
                },
                runs: runs.map { OperationRunRow($0, operation: names[$0.operationType] ?? $0.operationType.rawValue) }
            )))
        }
    }

    /// Tenant-scoped evidence: the run is shown in its own tenant, found among the tenants of the session's workspace
    /// (404 for a run of another workspace), whatever tenant the session has selected.
    func operationRun(_ request: Request, runID: String) async throws -> Response {
        guard let number = Int64(runID), number >= 1 else { throw DomainError.notFound("No operation run '\(runID.prefix(20))' in this workspace.") }
        let id = OperationRunID(rawValue: number)
        let visitor = try await requireVisitor(request)
        let workspaceRoute = ShellRoute(category: .workspaceScoped, intendedURL: request.uri.description)
        guard let workspaceCaller = try await useCases.shellContext.resolve(ShellContextRequest(route: workspaceRoute), caller: visitor.caller).caller else {
            return ConsoleResponse.redirect(to: ConsolePaths.workspaceChooser(returningTo: request.uri.description))
        }
        let tenant = try await useCases.operations.runTenant(id, caller: workspaceCaller)
        let route = ShellRoute(category: .tenantScopedEvidence, intendedURL: request.uri.description, tenant: .text(tenant.externalID))
        return try await shellPage(request, route: route) { page in
            let (run, connection) = try await useCases.operations.run(id, caller: page.caller)
            let names = Self.operationNames(useCases.operations.operationTypes(caller: page.caller))
            return ConsoleResponse.page(renderer.render("operation-run", OperationRunPage(
                run, connection: connection, operation: names[run.operationType] ?? run.operationType.rawValue,
                startedBy: try await startedBy(run, caller: page.caller), chrome: page.chrome("Run \(run.id)")
            )))
        }
    }

    /// Who started the run, by name when they are still a member of the workspace.
    private func startedBy(_ run: OperationRun, caller: Caller) async throws -> String {
        guard let userID = run.authority.userID else { return "The system" }
        if userID == caller.user.id { return "You (\(caller.user.displayName))" }
        let members = try await useCases.organizations.current(caller: caller).members
        return members.first { $0.userID == userID }.map { "\($0.displayName) <\($0.email.canonical)>" } ?? "A former member of the workspace"
    }

    /// "Verify provider connection" for `provider.connection.verify`.
    static func operationNames(_ definitions: [OperationTypeDefinition]) -> [OperationTypeKey: String] {
        Dictionary(definitions.map { ($0.key, "\($0.operatorVerb) \($0.operatorTarget)") }, uniquingKeysWith: { first, _ in first })
    }
}
