/// Proof that a principal acts on its own account: its memberships, its API keys, what its credential has selected,
/// the invitations it accepts. Made only by `AccessPolicy` from the authenticated principal.
public struct AccountScope: Sendable, Equatable {
    public let userID: UserID
    public let email: EmailAddress
    /// The session or API key of the request (what `activate…` changes).
    public let credentialID: CredentialID

    init(userID: UserID, email: EmailAddress, credentialID: CredentialID) {
        self.userID = userID
        self.email = email
        self.credentialID = credentialID
    }
}
