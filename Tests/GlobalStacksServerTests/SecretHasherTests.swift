import GlobalStacksDomain
import Testing
@testable import GlobalStacksServer
import GlobalStacksUseCases

@Suite("Secret hashing")
struct SecretHasherTests {
    @Test func sha256Hex() {
        #expect(SecretHasher.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SecretHasher.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite("Password hashing")
struct PasswordHasherTests {
    /// Unknown accounts are checked against a decoy of the configured cost, so a miss takes as long as a hit.
    @Test func decoyUsesTheConfiguredCost() async throws {
        let hasher = PasswordHasher(cost: 6)
        #expect(hasher.decoy.hasPrefix("$2b$06$"))
        let hash = try await hasher.hash("a-long-password")
        #expect(hash.hasPrefix("$2b$06$"))
        #expect(try await hasher.verify("a-long-password", against: hash))
        #expect(try await !hasher.verify("a-long-password", against: nil))
    }

    /// An account made by an identity provider stores a marker, not a hash: no password opens it, not even the marker.
    @Test func aStoredValueThatIsNotBcryptMatchesNoPassword() async throws {
        let hasher = PasswordHasher(cost: 4)
        #expect(try await !hasher.verify(OIDCProvider.noPassword, against: OIDCProvider.noPassword))
        #expect(try await !hasher.verify("", against: ""))
    }
}
