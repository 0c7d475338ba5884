import GlobalStacksUseCases
import HummingbirdBcrypt
import NIOPosix

/// `PasswordHashing` with bcrypt, on its own small thread pool: hashing never stalls an event loop, and a burst of sign-ins
/// cannot starve the shared pool that SQLite queries run on.
struct PasswordHasher: PasswordHashing {
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()

    let cost: UInt8
    /// Verified when the account does not exist, at the same cost as real hashes, so a miss takes as long as a hit.
    let decoy: String

    init(cost: UInt8) {
        self.cost = cost
        self.decoy = Bcrypt.hash("globalstacks-decoy-password", cost: cost)
    }

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await Self.pool.runIfActive {
            Bcrypt.hash(password, cost: cost)
        }
    }

    /// A stored hash that is not bcrypt's (an account that exists only through an identity provider) matches no
    /// password, and costs the same time as an unknown account.
    func verify(_ password: String, against stored: String?) async throws -> Bool {
        let decoy = self.decoy
        let hash = stored.flatMap { $0.hasPrefix("$2") ? $0 : nil }
        return try await Self.pool.runIfActive {
            let matches = Bcrypt.verify(password, hash: hash ?? decoy)
            return matches && hash != nil
        }
    }
}
