import HummingbirdBcrypt
import NIOPosix

/// bcrypt on the blocking thread pool, so hashing never stalls an event loop.
struct PasswordHasher: Sendable {
    let cost: UInt8

    /// A hash to verify against when the account does not exist, so a miss takes as long as a hit.
    private static let decoy = Bcrypt.hash("globalstacks-decoy-password", cost: 4)

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive {
            Bcrypt.hash(password, cost: cost)
        }
    }

    func verify(_ password: String, against hash: String?) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive {
            let matches = Bcrypt.verify(password, hash: hash ?? Self.decoy)
            return matches && hash != nil
        }
    }
}
