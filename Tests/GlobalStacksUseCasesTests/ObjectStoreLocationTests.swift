import GlobalStacksDomain
import Testing
@testable import GlobalStacksUseCases

/// Where an object store may point: S3's bucket names, plain prefixes, bounded metadata.
@Suite("Object store locations")
struct ObjectStoreLocationTests {
    @Test func bucketsFollowS3sRules() throws {
        for name in ["gs-data", "a.b-c", "abc", String(repeating: "a", count: 63)] {
            #expect(try ObjectStoreLocation.bucket(name) == name)
        }
        for name in ["ab", "Upper", "under_score", "-start", "end-", "a..b", "192.168.1.2", String(repeating: "a", count: 64), "sp ace"] {
            #expect(throws: DomainError.self, "\(name)") { try ObjectStoreLocation.bucket(name) }
        }
    }

    @Test func prefixesArePlainNames() throws {
        #expect(try ObjectStoreLocation.prefix("team-a/") == "team-a")
        #expect(try ObjectStoreLocation.prefix("a/b c/ünï") == "a/b c/ünï")
        #expect(try ObjectStoreLocation.prefix("") == nil)
        for prefix in ["/abs", "a//b", "a/../b", ".", "a\nb", String(repeating: "x", count: 513)] {
            #expect(throws: DomainError.self, "\(prefix)") { try ObjectStoreLocation.prefix(prefix) }
        }
    }

    @Test func metadataIsBounded() throws {
        try ObjectStoreLocation.metadata(["team": .string("core")])
        #expect(throws: DomainError.self) { try ObjectStoreLocation.metadata(["big": .string(String(repeating: "x", count: 17 << 10))]) }
        #expect(throws: DomainError.self) {
            try ObjectStoreLocation.metadata(Dictionary(uniqueKeysWithValues: (0..<65).map { ("k\($0)", JSONValue.bool(true)) }))
        }
        #expect(ObjectStoreLocation.credentialReference(ExtensionKey(rawValue: "acme.s3")!) == "install:acme.s3#secrets")
    }
}
