import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// The operator console under `/admin`: server-rendered pages over the same services as the v1 API. Each page maps
/// its request to a use case and renders the result; the workspace and tenant come from `ShellContextService`.
struct ConsoleController: Sendable {
    let useCases: UseCases
    let authenticator: Authenticator
    let renderer: ConsoleRenderer
    let secureCookies: Bool
    let sessionLifetime: TimeInterval
    let deviceSignInProviders: [String]

    func addRoutes(to router: Router<AppRequestContext>) {
        let console = router.group("admin")
            .add(middleware: ConsoleSecurityHeaders())
            .add(middleware: ConsoleErrorMiddleware(renderer: renderer))
        ConsoleAssets.addRoutes(to: console)
        addSignInRoutes(to: console)
        addShellRoutes(to: console)
        addWorkspaceRoutes(to: console)
        addDashboardRoutes(to: console)
        addSandboxRoutes(to: console)
        addMarketplaceRoutes(to: console)
        addOperationRoutes(to: console)
        addSiteAdminRoutes(to: console)
        // Any other console path: the console's 404 page, with its security headers.
        console.get("**") { _, _ -> Response in throw DomainError.notFound("There is no console page here.") }
    }

    /// A signed-in page: the visitor (or a sign-in redirect), the resolved context (or its recovery), then `render`
    /// with the caller focused on that context. JSON clients get the contract's envelope instead of the page.
    func shellPage(
        _ request: Request, route: ShellRoute, queryHint: ContextIdentifier? = nil,
        render: (ConsolePageContext) async throws -> Response
    ) async throws -> Response {
        let visitor = try await requireVisitor(request)
        let resolution = try await useCases.shellContext.resolve(ShellContextRequest(route: route, queryHint: queryHint), caller: visitor.caller)
        let context = resolution.context
        if context.isResolved, let caller = resolution.caller {
            if ConsoleResponse.wantsJSON(request) { return try ConsoleResponse.json(ShellContextEnvelope(resolvedContext: context)) }
            return try await render(ConsolePageContext(visitor: visitor, resolution: resolution, caller: caller, route: route))
        }
        switch context.recoveryDirective.action {
        case .redirectChooseWorkspace:
            return ConsoleResponse.redirect(to: ConsolePaths.workspaceChooser(returningTo: route.intendedURL))
        default:
            throw DomainError.notFound(Self.notFoundMessage(context.state))
        }
    }

    /// The context of a request that is not a page (a form post, a JSON poll, a stream): resolved, with the caller
    /// focused on it, or 404 (a form or a poll has no page to recover to).
    func focused(_ route: ShellRoute, visitor: ConsoleVisitor) async throws -> (resolution: ShellContextService.Resolution, caller: Caller) {
        let resolution = try await useCases.shellContext.resolve(ShellContextRequest(route: route), caller: visitor.caller)
        guard let caller = resolution.caller else { throw DomainError.notFound(Self.notFoundMessage(resolution.context.state)) }
        return (resolution, caller)
    }

    func requireVisitor(_ request: Request) async throws -> ConsoleVisitor {
        guard let visitor = try await ConsoleVisitor.optional(request, authenticator: authenticator) else {
            throw DomainError.unauthenticated("Sign in first: \(ConsolePaths.signIn).")
        }
        return visitor
    }

    /// What a refusal says: the same words whether the thing does not exist or is someone else's.
    static func notFoundMessage(_ state: ShellState) -> String {
        switch state {
        case .invalidWorkspace: "No such organization among yours."
        case .inaccessibleTenant: "That tenant cannot be used now (it is suspended or archived); an admin of the organization can reactivate it."
        case .missingTenant: "This page needs a tenant."
        default: "No such tenant in this organization."
        }
    }
}

/// What a signed-in page is rendered with.
struct ConsolePageContext {
    let visitor: ConsoleVisitor
    let resolution: ShellContextService.Resolution
    /// The caller focused on the resolved workspace and tenant: what the page's use cases are called with.
    let caller: Caller
    let route: ShellRoute

    var context: ResolvedShellContext { resolution.context }

    func chrome(_ title: String) -> ConsoleChrome {
        ConsoleChrome(title: title, visitor: visitor, context: resolution.context, directory: resolution.directory, path: route.intendedURL)
    }
}
