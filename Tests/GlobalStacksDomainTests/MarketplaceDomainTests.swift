import Foundation
@testable import GlobalStacksDomain
import Testing

/// The marketplace's rules without a database: versions, keys, egress, the manifest's field-naming refusals, release
/// moves, settings resolution and mutation classes, consent and compatibility.
@Suite("Marketplace rules")
struct MarketplaceDomainTests {
    static func manifest(_ extra: String = "", settings: String? = nil, version: String = "1.0.0") throws -> ExtensionManifest {
        let text = """
            {"key":"acme.store","name":"Store","version":"\(version)","publisher":"Acme","description":"d","brokerProtocol":"globalstacks.broker.v1",
             "entrypoint":"bin/main.py","permissions":[{"name":"sandboxes.read","purpose":"p"}],"egress":["api.acme.example","files.acme.example:8443"],
             "agentCapabilities":["extensions.python"]\(settings.map { #","settings":\#($0)"# } ?? "")\(extra)}
            """
        return try ExtensionManifest(parsing: try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
    }

    static func refusal(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "accepted"
        } catch let error as DomainError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func semanticVersionsOrderByPrecedence() {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.2.0", "1.10.0"]
        let versions = ordered.compactMap(SemanticVersion.init)
        #expect(versions.count == ordered.count)
        #expect(versions == versions.sorted())
        #expect(SemanticVersion("1.0.0+build.5") == SemanticVersion("1.0.0"))
        for bad in ["1.0", "01.0.0", "1.0.0-", "1.0.0-01", "v1.0.0", "1.0.0+", ""] {
            #expect(SemanticVersion(bad) == nil, "\(bad)")
        }
    }

    @Test func extensionKeysDigestsAndEgressHostsAreChecked() throws {
        #expect(ExtensionKey(rawValue: "acme.object-store") != nil)
        for bad in ["Acme.store", "acme..store", "1acme", "acme-", "ac"] { #expect(ExtensionKey(rawValue: bad) == nil, "\(bad)") }
        #expect(ContentDigest("sha256:" + String(repeating: "a", count: 64)) != nil)
        #expect(ContentDigest("sha256:" + String(repeating: "A", count: 64)) == nil)
        #expect(try EgressHost.parse("API.example.com:8443", field: "egress[0]").description == "api.example.com:8443")
        #expect(Self.refusal { _ = try EgressHost.parse("10.0.0.1", field: "egress[0]") }.contains("IP address"))
        #expect(Self.refusal { _ = try EgressHost.parse("example.com:99999", field: "egress[1]") }.contains("egress[1]"))
    }

    @Test func manifestRefusalsNameTheField() throws {
        let parsed = try Self.manifest()
        #expect(parsed.egressNames == ["api.acme.example", "files.acme.example:8443"] && parsed.permissionNames == ["sandboxes.read"])
        let cases: [(String, String)] = [
            (#","colour":"blue""#, "colour is not a manifest field"),
            (#","operations":[{"name":"run","targetKind":"cluster","inputSchema":{"dependentSchemas":{}}}]"#, "operations[0].inputSchema"),
            (#","operations":[{"name":"run","targetKind":"cluster","permissions":["sandboxes.exec"]}]"#, "operations[0].permissions[0] 'sandboxes.exec' is not among"),
            (#","cli":[{"path":["go"],"operation":"missing"}]"#, "cli[0].operation"),
        ]
        for (extra, expected) in cases {
            #expect(Self.refusal { _ = try Self.manifest(extra) }.contains(expected), "\(extra)")
        }
        #expect(Self.refusal { _ = try Self.manifest(version: "one") }.contains("version must be a semantic version"))
        #expect(Self.refusal { _ = try Self.manifest(settings: #"{"schema":{"type":"object","properties":{"t":{"type":"string","default":"x"}}},"secrets":["t"]}"#) }
            .contains("secret and must not have a default"))
    }

    @Test func releaseMovesFollowTheTable() throws {
        #expect(ReleaseStatus.draft.canMove(to: .submitted, by: .publisher))
        #expect(!ReleaseStatus.submitted.canMove(to: .approved, by: .publisher), "publishers do not approve their own releases")
        #expect(!ReleaseStatus.submitted.canMove(to: .published, by: .reviewer), "approval comes first")
        #expect(ReleaseStatus.published.canMove(to: .revoked, by: .publisher) && ReleaseStatus.published.canMove(to: .revoked, by: .reviewer))
        for final in [ReleaseStatus.rejected, .revoked] {
            #expect(ReleaseStatus.allCases.allSatisfy { !final.canMove(to: $0, by: .reviewer) && !final.canMove(to: $0, by: .publisher) })
        }
        #expect(Self.refusal { try ReleaseStatus.revoked.requireMove(to: .published, by: .reviewer) }.contains("it is final"))
    }

    @Test func settingsResolveDefaultsThenTenantThenPolicyAndMutationClassesHold() throws {
        let spec = try Self.manifest(settings: """
            {"schema":{"type":"object","additionalProperties":false,"properties":{"region":{"enum":["eu","us"],"default":"eu"},
              "prefix":{"type":"string","default":"gs-"},"limit":{"type":"integer","minimum":1},"token":{"type":"string","minLength":8}}},
             "mutation":{"region":"immutable","prefix":"requires_reconcile"},"secrets":["token"]}
            """).settings
        #expect(spec.effective(tenant: ["region": .string("us")], policy: ["limit": .number(5)]) == ["region": .string("us"), "prefix": .string("gs-"), "limit": .number(5)])
        #expect(spec.effective(tenant: ["limit": .number(50)], policy: ["limit": .number(5)])["limit"] == .number(5), "policy wins")
        #expect(Self.refusal { try spec.validate(tenant: ["region": .string("mars")], policy: [:]) }.contains("settings.region"))
        #expect(Self.refusal { try spec.validate(tenant: ["token": .string("short")], policy: [:]) }.contains("settings.token"))
        #expect(Self.refusal { try spec.validate(tenant: ["colour": .string("blue")], policy: [:]) }.contains("Invalid settings"))
        #expect(Self.refusal { _ = try spec.change(from: ["region": .string("eu")], to: ["region": .string("us")]) }.contains("settings.region is immutable"))
        let change = try spec.change(from: ["prefix": .string("a-")], to: ["prefix": .string("b-"), "limit": .number(3)])
        #expect(change.changedKeys == ["limit", "prefix"] && change.reconcileKeys == ["prefix"])
        #expect(spec.keysByMutation["immutable"] == ["region"] && spec.keysByMutation["mutable"] == ["limit", "token"])
        #expect(ExtensionSettingsSpec.merging(["prefix": .null, "limit": .number(2)], into: ["prefix": .string("x")]) == ["limit": .number(2)])
    }

    @Test func compatibilityAndConsentAreComputedFromFacts() throws {
        let manifest = try Self.manifest(#","minGlobalstacksVersion":"9.0.0""#)
        let facts = Compatibility(manifest: manifest, agentCapabilities: [])
        #expect(!facts.isCompatible && facts.missingRequirements.count == 2)
        #expect(facts.missingRequirements.contains { $0.contains("GlobalStacks 9.0.0 or later") })
        #expect(facts.missingRequirements.contains { $0.contains("extensions.python") })
        #expect(Compatibility(manifest: try Self.manifest(), agentCapabilities: ["extensions.python"]).isCompatible)
    }
}
