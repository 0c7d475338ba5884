import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// Who is asking for a console page: the same `Authenticator` as every other edge, from the session cookie (or an
/// API key, for scripts reading the contract's JSON). A form post from a session must carry its CSRF token.
struct ConsoleVisitor: Sendable {
    let caller: Caller
    /// The token the visitor's forms carry; nil for API keys, which no browser sends on its own.
    let csrfToken: String?

    /// The visitor, or nil for a request without credentials (401 for ones that are not valid).
    static func optional(_ request: Request, authenticator: Authenticator) async throws -> ConsoleVisitor? {
        let session = request.cookies[RequestEnvironmentMiddleware.sessionCookieName]?.value
        let presented = PresentedCredentials(
            sessionToken: session, bearerToken: BearerToken.parse(request.headers[.authorization]),
            isReadOnly: request.method == .get || request.method == .head
        )
        guard let caller = try await authenticator.optionalCaller(presented) else { return nil }
        let csrf = caller.principal.credential.kind == .session ? session.map(ConsoleCSRF.token(forSession:)) : nil
        return ConsoleVisitor(caller: caller, csrfToken: csrf)
    }

    /// Refuses a state-changing post that did not come from one of our own forms.
    func checkForgery(_ request: Request, formToken: String?) throws {
        guard let csrfToken else { return }
        guard !ConsoleCSRF.isCrossOrigin(request),
              ConsoleCSRF.matches(formToken ?? request.headers[ConsoleCSRF.headerName], csrfToken)
        else {
            throw DomainError.forbidden("This form has expired or did not come from this console; reload the page and try again.")
        }
    }
}
