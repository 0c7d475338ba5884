import Foundation
import GlobalStacksDomain
import Testing

@Suite("Input validation")
struct ValidationTests {
    @Test("Slugs accept lower-case letters, digits and single inner hyphens", arguments: ["a", "team-1", "x9", String(repeating: "a", count: 63)])
    func validSlugs(_ value: String) throws {
        #expect(try Slug(validating: value).rawValue == value)
    }

    @Test("Slugs refuse anything else with a message naming the rule", arguments: ["", "Team", "a_b", "-a", "a-", "a--b", "ä", "a b", String(repeating: "a", count: 64)])
    func invalidSlugs(_ value: String) {
        #expect(throws: DomainError.self) { try Slug(validating: value) }
    }

    @Test("Agent names: 3 to 100 letters, digits, '-', '_' or '.'", arguments: ["db1", "k8s-prod-us-east-1", "host.example.com", String(repeating: "a", count: 100)])
    func validAgentNames(_ value: String) throws {
        #expect(try Agent.validateName(value) == value)
    }

    @Test("Agent names refuse spaces, other characters and over-long names", arguments: ["", "vm", "a b c", "rack/1", "äbc", String(repeating: "a", count: 101)])
    func invalidAgentNames(_ value: String) {
        #expect(throws: DomainError.self) { try Agent.validateName(value) }
    }

    @Test("The default agent name is a valid name for any host name", arguments: [
        ("vm", "vm-agent"), ("", "agent"), ("build-01", "build-01"), ("host name", "host-name"),
        (String(repeating: "h", count: 120), String(repeating: "h", count: 100)),
    ])
    func defaultAgentNames(hostName: String, expected: String) throws {
        #expect(Agent.defaultName(hostName: hostName) == expected)
        #expect(try Agent.validateName(Agent.defaultName(hostName: hostName)) == expected)
    }

    @Test func derivedSlugs() {
        #expect(Slug.derived(from: "My Team #1").rawValue == "my-team-1")
        #expect(Slug.derived(from: "  --Ünïcode--  ", fallback: "org").rawValue == "n-code")
        #expect(Slug.derived(from: "!!!", fallback: "cluster").rawValue == "cluster")
        #expect(Slug.derived(from: String(repeating: "ab ", count: 60)).rawValue.count <= Slug.maxLength)
        let long = Slug.derived(from: String(repeating: "a", count: 80))
        #expect(long.suffixed(12).rawValue.hasSuffix("-12"))
        #expect(long.suffixed(12).rawValue.count == Slug.maxLength)
    }

    @Test func names() throws {
        #expect(try Validation.name("  Acme  ") == "Acme")
        #expect(throws: DomainError.invalidInput("name must not be empty.")) { try Validation.name("   ") }
        #expect(throws: DomainError.self) { try Validation.name(String(repeating: "x", count: 101)) }
        #expect(throws: DomainError.self) { try Validation.name("bad\u{0}name") }
    }

    @Test func emails() throws {
        #expect(try Validation.email(" Ada@Example.COM ").canonical == "ada@example.com")
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "a da@example.com", "ada@.com", "a@b@c.com"] {
            #expect(throws: DomainError.self, "\(bad)") { try Validation.email(bad) }
        }
    }

    @Test func passwords() throws {
        #expect(throws: DomainError.self) { try Validation.password("short") }
        #expect(throws: DomainError.self) { try Validation.password(String(repeating: "é", count: 40)) } // 80 bytes
        #expect(try Validation.password("long-enough-pw") == "long-enough-pw")
    }

    @Test func metadata() throws {
        #expect(try Validation.metadata(nil) == [:])
        #expect(try Validation.metadata(["zone": "a"]) == ["zone": "a"])
        #expect(throws: DomainError.self) { try Validation.metadata(["": "x"]) }
        #expect(throws: DomainError.self) { try Validation.metadata(["k": String(repeating: "v", count: 1_025)]) }
        let tooMany = Dictionary(uniqueKeysWithValues: (0..<65).map { ("k\($0)", "v") })
        #expect(throws: DomainError.self) { try Validation.metadata(tooMany) }
    }

    @Test func secretTokensAreLongRandomAndURLSafe() {
        let tokens = (0..<100).map { _ in SecretToken.generate(prefix: "gsk_").value }
        #expect(Set(tokens).count == 100)
        for token in tokens {
            #expect(token.hasPrefix("gsk_"))
            #expect(token.count == 47)
            #expect(token.dropFirst(4).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
    }
}
