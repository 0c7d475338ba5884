import GlobalStacksDomain
import HTTPTypes
import OpenAPIRuntime

/// Decides authentication once per operation, before its handler runs: an operation that is not in
/// `AnonymousOperations` needs a valid session or API key (401 otherwise, whatever the request carries), and its
/// handler reads the principal resolved here.
struct AuthenticationMiddleware: ServerMiddleware {
    let authenticator: Authenticator

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard !AnonymousOperations.ids.contains(operationID) else {
            return try await next(request, body, metadata)
        }
        let principal = try await authenticator.resolvePrincipal()
        try AccessPolicy.requireInvocationAllows(operationID, principal)
        return try await Authenticator.$authenticated.withValue(principal) {
            try await next(request, body, metadata)
        }
    }
}
