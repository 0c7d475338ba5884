import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

extension ConsoleController {
    /// A form post to a signed-in page: the CSRF token first, then the page's context for `route` (404 when it does
    /// not resolve), then `handle` with the caller focused on it.
    func formPost(
        _ request: Request, route: ShellRoute, handle: (ConsolePageContext, ConsoleForm) async throws -> Response
    ) async throws -> Response {
        let visitor = try await requireVisitor(request)
        let form = try await ConsoleForm.read(request)
        try visitor.checkForgery(request, formToken: form.csrfToken)
        let (resolution, caller) = try await focused(route, visitor: visitor)
        return try await handle(ConsolePageContext(visitor: visitor, resolution: resolution, caller: caller, route: route), form)
    }

    /// A refusal the person can act on from the same form (the rest are error pages).
    static func isRefusal(_ error: DomainError) -> Bool {
        switch error.kind {
        case .invalidInput, .forbidden, .conflict: true
        default: false
        }
    }
}
