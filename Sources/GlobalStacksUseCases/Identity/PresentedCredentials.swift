/// What a request presented to prove who it is, read by its edge (a cookie, an `Authorization` header, a WebSocket
/// upgrade's headers) and given to `Authenticator`.
public struct PresentedCredentials: Sendable {
    public let sessionToken: String?
    public let bearerToken: String?
    /// A request that changes nothing (GET, HEAD) may reuse a principal resolved a moment ago (`PrincipalCache`).
    public let isReadOnly: Bool

    public init(sessionToken: String?, bearerToken: String?, isReadOnly: Bool) {
        self.sessionToken = sessionToken
        self.bearerToken = bearerToken
        self.isReadOnly = isReadOnly
    }
}
