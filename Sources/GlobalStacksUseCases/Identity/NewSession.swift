import Foundation
import GlobalStacksDomain
import Logging

/// A session just opened: its token is here once (the edge hands it to the client, e.g. in a cookie), only its
/// hash is stored.
public struct NewSession: Sendable {
    public let user: User
    public let credential: Credential
    public let token: String
}

extension CredentialIssuer {
    /// Opens a session for `user`, who proved who they are `how` (a password, an identity provider).
    func signIn(_ user: User, how: String, _ request: AnonymousRequest) async throws -> NewSession {
        let (credential, token) = try await issueSession(for: user, at: Date())
        request.logger.info("Signed in", metadata: ["user": "\(user.id)", "session": "\(credential.id)", "with": "\(how)"])
        return NewSession(user: user, credential: credential, token: token)
    }
}
