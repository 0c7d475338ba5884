import Foundation
import GlobalStacksUseCases
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers

/// What the generated API handlers need from the HTTP request that the OpenAPI types do not carry:
/// credentials, the client address and a place to put cookies for the response.
/// Set for the duration of a request by `RequestEnvironmentMiddleware`.
struct RequestEnvironment: Sendable {
    @TaskLocal static var current: RequestEnvironment?

    let logger: Logger
    /// The session cookie or bearer credential, for `Authenticator`.
    let presented: PresentedCredentials
    let clientAddress: String
    let responseCookies: ResponseCookies

    /// The environment of the running request; the API handlers only run inside one.
    static var required: RequestEnvironment {
        get throws {
            guard let current else { throw MissingRequestEnvironment() }
            return current
        }
    }
}

/// A handler ran outside `RequestEnvironmentMiddleware`: a wiring mistake, answered as a 500.
struct MissingRequestEnvironment: Error {}

/// Cookies a handler wants set on its response.
final class ResponseCookies: Sendable {
    private let cookies = NIOLockedValueBox<[Cookie]>([])

    func set(_ cookie: Cookie) {
        cookies.withLockedValue { $0.append(cookie) }
    }

    var all: [Cookie] { cookies.withLockedValue { $0 } }
}

struct RequestEnvironmentMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let sessionCookieName = SessionCookie.name

    let principals: PrincipalCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let environment = RequestEnvironment(
            logger: context.logger,
            presented: PresentedCredentials(
                sessionToken: request.cookies[Self.sessionCookieName]?.value,
                bearerToken: BearerToken.parse(request.headers[.authorization]),
                isReadOnly: request.method == .get || request.method == .head
            ),
            clientAddress: context.remoteAddress?.ipAddress ?? "unknown",
            responseCookies: ResponseCookies()
        )
        // A request that may change state clears the cached principals when it ends, failed or not.
        defer { if !environment.presented.isReadOnly { principals.removeAll() } }
        var response = try await RequestEnvironment.$current.withValue(environment) {
            try await next(request, context)
        }
        for cookie in environment.responseCookies.all {
            response.headers.append(HTTPField(name: .setCookie, value: cookie.description))
        }
        return response
    }
}
