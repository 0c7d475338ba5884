import GlobalStacksDomain
import GlobalStacksUseCases
import HTTPTypes
import OpenAPIRuntime

/// Decides authentication once per operation, before its handler runs: an operation that is not in
/// `AnonymousOperations` needs a valid session or API key (401 otherwise, whatever the request carries). The caller
/// resolved here reaches the handler as an argument (`APIController`): the generated transport passes handlers nothing
/// but their input, so this task-local is the one bridge, read in one place.
struct AuthenticationMiddleware: ServerMiddleware {
    let authenticator: Authenticator

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard !AnonymousOperations.ids.contains(operationID) else {
            return try await next(request, body, metadata)
        }
        let caller = try await authenticator.authenticate(try RequestEnvironment.required.presented)
        try AccessPolicy.requireInvocationAllows(operationID, caller.principal)
        return try await AuthenticatedCaller.$current.withValue(caller) {
            try await next(request, body, metadata)
        }
    }
}

/// The caller `AuthenticationMiddleware` resolved for the running operation; read only by `APIController`.
enum AuthenticatedCaller {
    @TaskLocal static var current: Caller?

    /// The caller of an operation that needs one. An operation anonymous callers may reach has none, and asking for
    /// one there is a programming error answered 401.
    static func required() throws -> Caller {
        guard let current else { throw Authenticator.signInFirst }
        return current
    }
}
