import GlobalStacksDomain
import GlobalStacksUseCases
import HTTPTypes

/// Who sends a request to one sandbox (its ports, its envd, a request relayed to its agent's replica): the sandbox's
/// access token (`X-Access-Token`, or E2B's `e2b-traffic-access-token`), else an API key (`X-API-Key` or
/// `Authorization: Bearer`) or the session cookie. nil when it presented none.
enum SandboxCredentials {
    static let accessTokenHeader = HTTPField.Name("X-Access-Token")!
    static let trafficTokenHeader = HTTPField.Name("e2b-traffic-access-token")!
    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    /// `mayUseCache`: a request that changes nothing may reuse a principal resolved a moment ago.
    static func caller(_ headers: HTTPFields, sandbox: SandboxID, authenticator: Authenticator, mayUseCache: Bool) async throws -> Caller? {
        if let token = headers[accessTokenHeader] ?? headers[trafficTokenHeader] {
            return try await authenticator.authenticateSandboxAccess(token, to: sandbox)
        }
        return try await authenticator.optionalCaller(PresentedCredentials(
            sessionToken: ExecStreamEndpoint.cookie(SessionCookie.name, in: headers),
            bearerToken: headers[apiKeyHeader] ?? BearerToken.parse(headers[.authorization]), isReadOnly: mayUseCache
        ))
    }
}
