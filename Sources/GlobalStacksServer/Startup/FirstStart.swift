import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Logging

/// On an empty database: create the first site admin from configuration, or print a one-time setup token
/// that `POST /v1/setup` redeems. Does nothing once any user exists.
struct FirstStart {
    let store: any IdentityBootstrap
    let configuration: ServerConfiguration
    let logger: Logger

    func run() async throws {
        guard try await store.userCount() == 0 else { return }
        if let email = configuration.initialAdminEmail, let password = configuration.initialAdminPassword {
            let hasher = PasswordHasher(cost: UInt8(clamping: configuration.bcryptCost))
            let admin = NewUser(
                email: try Validation.email(email), displayName: "Administrator",
                passwordHash: try await hasher.hash(try Validation.password(password)), siteRole: .admin
            )
            do {
                let user = try await store.createUser(admin, at: Date())
                logger.notice("Created the first site admin", metadata: ["email": "\(user.email)"])
            } catch let error as DomainError where error.kind == .conflict {
                // Another replica created it at the same moment.
            }
            return
        }
        let token = SecretToken.generate(prefix: SecretPrefix.setupToken)
        try await store.replaceSetupToken(hash: SecretHasher.hash(token.value), at: Date())
        // Written to standard output rather than logged, so it does not end up in log aggregation.
        FileHandle.standardOutput.write(Data("""

            GlobalStacks has no users yet. Create the first site admin with this one-time setup token:

              \(token.value)

            with the CLI, which asks for it, then for your email, name and password:

              gstacks setup \(configuration.resolvedPublicURL)

            or with curl:

              curl -X POST \(configuration.resolvedPublicURL)/v1/setup -H 'Content-Type: application/json' \\
                -d '{"token":"\(token.value)","email":"you@example.com","displayName":"Your Name","password":"choose-a-long-password"}'

            """.utf8))
    }
}
