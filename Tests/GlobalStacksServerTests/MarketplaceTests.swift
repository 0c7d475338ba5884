import Crypto
import Foundation
import GlobalStacksTestSupport
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The marketplace through the router, on both engines: a publisher signs and submits, an operator reviews and
/// publishes, another tenant installs with consent, configures (a secret among the settings), reads CLI metadata,
/// is asked to consent again when an upgrade asks for more, and is disabled when the release is revoked. Each
/// refusal on the way is checked with its status.
@Suite("Marketplace")
struct MarketplaceTests {
    @Test(arguments: TestEngine.available)
    func publishReviewInstallConfigureUpgradeRevoke(engine: TestEngine) async throws {
        try await TestServer.run(engine) { api, _ in
            let admin = try await api.signInAdmin()
            let ada = try await api.newUser("ada@example.com", admin: admin)
            let bo = try await api.newUser("bo@example.com", admin: admin)
            let carol = try await api.newUser("carol@example.com", admin: admin)
            _ = try await api.organization(owner: ada, members: [])
            _ = try await api.organization(owner: bo, members: [(carol, "carol@example.com", "member")])
            try await api.tenant("pub", session: ada)
            let consumer = try await api.tenant("use", session: bo)
            try #require(try await api.request(.post, "/v1/tenants/\(consumer)/activate", session: carol).status == .ok)

            // The publisher: an app, a key, a package.
            let app = try await api.created(.post, "/v1/developer/apps", json: """
                {"name":"Acme tools","publisherName":"Acme","supportUrl":"https://acme.example/support","termsUrl":"https://acme.example/terms","privacyUrl":"https://acme.example/privacy"}
                """, session: ada)
            let signer = Curve25519.Signing.PrivateKey()
            let keyID = try await api.created(.post, "/v1/developer/apps/\(app)/keys",
                                              json: #"{"name":"release key","publicKey":"\#(signer.publicKey.rawRepresentation.base64EncodedString())"}"#, session: ada)
            #expect(try await api.request(.post, "/v1/developer/apps/\(app)/keys", json: #"{"name":"bad","publicKey":"AAAA"}"#, session: ada).status == .badRequest)
            let package = try await api.created(.post, "/v1/developer/apps/\(app)/packages",
                                                json: #"{"extensionKey":"acme.object-store","name":"Object store","category":"storage","tags":["s3"]}"#, session: ada)
            #expect(try await api.request(.post, "/v1/developer/apps/\(app)/packages", json: #"{"extensionKey":"acme.object-store","name":"Again"}"#, session: ada).status == .conflict)

            // Content: a digest that does not match the bytes is refused.
            let v1 = Manifest(version: "1.0.0", permissions: ["sandboxes.read"])
            let wrong = try await api.upload("/v1/extension-content/\(ContentAddress.of(Data("other".utf8)))?kind=manifest", v1.bytes, session: ada)
            #expect(wrong.status == .badRequest && wrong.message.contains("hash to"), "\(wrong.message)")
            let release1 = try await api.release(v1, package: package, keyID: keyID, signer: signer, session: ada)

            // A forged signature (another key) and a version that is not the manifest's are refused.
            let forged = try await api.request(.post, "/v1/developer/packages/\(package)/signatures", json: """
                {"manifestDigest":"\(release1.manifest)","artifactDigest":"\(release1.artifact)","keyId":"\(keyID)","signature":"\(Release.sign(Curve25519.Signing.PrivateKey(), release1))"}
                """, session: ada)
            #expect(forged.status == .badRequest && forged.message.contains("does not verify"), "\(forged.message)")
            #expect(try await api.request(.post, "/v1/developer/packages/\(package)/releases", json: """
                {"version":"2.0.0","manifestDigest":"\(release1.manifest)","artifactDigest":"\(release1.artifact)"}
                """, session: ada).status == .badRequest)

            // Not yet published: the other tenant cannot tell it exists.
            #expect(try await api.request(.get, "/v1/integration-catalog/acme.object-store", session: bo).status == .notFound)
            #expect(try await api.request(.post, "/v1/integration-installs/acme.object-store", json: release1.consent, session: bo).status == .notFound)

            // Submission records the automated findings; only operators review.
            let submitted = try await api.request(.post, "/v1/developer/releases/\(release1.id)/moves", json: #"{"to":"submitted"}"#, session: ada)
            #expect(submitted.status == .ok && (submitted.json["findings"] as? [[String: Any]])?.contains { $0["check"] as? String == "signature" && $0["severity"] as? String == "passed" } == true, "\(submitted.json)")
            #expect(try await api.request(.get, "/v1/marketplace/review-queue", session: admin).items.count == 1)
            #expect(try await api.request(.post, "/v1/marketplace/releases/\(release1.id)/decisions", json: #"{"to":"approved"}"#, session: bo).status == .forbidden)
            #expect(try await api.request(.post, "/v1/marketplace/releases/\(release1.id)/decisions", json: #"{"to":"published"}"#, session: admin).status == .conflict,
                    "a submitted release is approved before it is published")
            try await api.decide(release1.id, "approved", admin)
            try await api.decide(release1.id, "published", admin)

            // The catalog is honest: no approved agent offers the capability the extension needs.
            let item = try await api.request(.get, "/v1/integration-catalog/acme.object-store", session: bo)
            #expect(item.status == .ok && item.string("compatibilityStatus") == "incompatible" && item.string("installedStatus") == "not_installed", "\(item.json)")
            #expect((item.json["missingRequirements"] as? [String])?.first?.contains("extensions.python") == true, "\(item.json)")
            #expect(try await api.request(.get, "/v1/marketplace/catalog?category=storage&q=object", session: bo).items.count == 1)
            #expect(try await api.request(.get, "/v1/marketplace/catalog?tag=nothing", session: bo).items.isEmpty)
            let consent = try await api.request(.get, "/v1/integration-catalog/acme.object-store/consent", session: bo)
            #expect(consent.string("manifestDigest") == release1.manifest && (consent.json["permissions"] as? [[String: Any]])?.first?["purpose"] as? String == "List buckets' sandboxes.")

            // Install: consent to other content, a member, invalid settings are refused; then it installs.
            let other = try await api.request(.post, "/v1/integration-installs/acme.object-store",
                                              json: #"{"manifest_digest":"\#(release1.artifact)","artifact_digest":"\#(release1.artifact)"}"#, session: bo)
            #expect(other.status == .forbidden && other.message.contains("manifest_digest") && !other.message.contains("artifact_digest ("), "\(other.message)")
            #expect(try await api.request(.post, "/v1/integration-installs/acme.object-store", json: release1.consent, session: carol).status == .forbidden)
            let invalid = try await api.request(.post, "/v1/integration-installs/acme.object-store",
                                                json: release1.consent(settings: #"{"region":"mars"}"#), session: bo)
            #expect(invalid.status == .badRequest && invalid.message.contains("settings.region"), "\(invalid.message)")
            let installed = try await api.request(.post, "/v1/integration-installs/acme.object-store",
                                                  json: release1.consent(settings: #"{"region":"us","token":"s3cret-token-1"}"#), session: bo)
            #expect(installed.status == .created, "\(installed.message)")
            let install = installed.json["install"] as? [String: Any]
            #expect((install?["settings"] as? [String: Any])?["token"] as? [String: String] == ["secret": "set"], "\(installed.json)")
            #expect((install?["effectiveSettings"] as? [String: Any])?["bucketPrefix"] as? String == "gs-")
            #expect(!String(decoding: installed.body, as: UTF8.self).contains("s3cret-token-1"))

            // Settings: immutable refused by name, a secret changed and never shown, a reconcile change starts a run.
            let frozen = try await api.request(.patch, "/v1/integration-installs/acme.object-store/settings", json: #"{"settings":{"region":"eu"}}"#, session: bo)
            #expect(frozen.status == .badRequest && frozen.message.contains("settings.region is immutable"), "\(frozen.message)")
            let changed = try await api.request(.patch, "/v1/integration-installs/acme.object-store/settings",
                                                json: #"{"settings":{"token":"s3cret-token-2","bucketPrefix":"team-"}}"#, session: bo)
            #expect(changed.status == .ok && (changed.json["effectiveSettings"] as? [String: Any])?["bucketPrefix"] as? String == "team-", "\(changed.json)")
            #expect((changed.json["mutation"] as? [String: [String]])?["immutable"] == ["region"])
            let settings = try await api.request(.get, "/v1/integration-installs/acme.object-store/settings", session: bo)
            #expect(!String(decoding: settings.body, as: UTF8.self).contains("s3cret-token"), "secrets are never returned")
            let runs = try await api.request(.get, "/v1/operation-runs", session: bo)
            #expect(runs.items.contains { $0["operationType"] as? String == "integration.settings.reconcile" }, "\(runs.json)")

            // Control-plane policy wins and says which keys it fixed.
            #expect(try await api.request(.put, "/v1/marketplace/policies/acme.object-store", json: #"{"settings":{"maxObjects":10}}"#, session: bo).status == .forbidden)
            #expect(try await api.request(.put, "/v1/marketplace/policies/acme.object-store", json: #"{"settings":{"maxObjects":10}}"#, session: admin).status == .ok)
            let state = try await api.request(.get, "/v1/integration-installs/acme.object-store/state", session: bo)
            #expect(state.json["policyFixedKeys"] as? [String] == ["maxObjects"] && state.json["secretsSet"] as? [String] == ["token"], "\(state.json)")
            #expect(try await api.request(.patch, "/v1/integration-installs/acme.object-store/settings", json: #"{"settings":{"maxObjects":5}}"#, session: bo).status == .badRequest)

            // CLI metadata of the installed release.
            let cli = try await api.request(.get, "/v1/integration-installs/acme.object-store/cli", session: bo)
            #expect((cli.json["commands"] as? [[String: Any]])?.first?["path"] as? [String] == ["objects", "list"], "\(cli.json)")

            // An upgrade that asks for a new permission waits for consent; consenting moves the install up.
            let v2 = Manifest(version: "1.1.0", permissions: ["sandboxes.read", "sandboxes.exec"])
            let release2 = try await api.release(v2, package: package, keyID: keyID, signer: signer, session: ada)
            try #require(try await api.request(.post, "/v1/developer/releases/\(release2.id)/moves", json: #"{"to":"submitted"}"#, session: ada).status == .ok)
            try await api.decide(release2.id, "approved", admin)
            try await api.decide(release2.id, "published", admin)
            let waiting = try await api.request(.get, "/v1/integration-installs", session: bo).items.first
            #expect(waiting?["status"] as? String == "needs_reconsent" && waiting?["version"] as? String == "1.0.0", "\(String(describing: waiting))")
            let listed = try await api.request(.get, "/v1/integration-catalog/acme.object-store", session: bo)
            #expect(listed.string("consentState") == "needs_reconsent" && listed.json["updateAvailable"] as? Bool == true, "\(listed.json)")
            let reconsent = try await api.request(.post, "/v1/integration-installs/acme.object-store", json: release2.consent, session: bo)
            let upgraded = reconsent.json["install"] as? [String: Any]
            #expect(reconsent.status == .created && upgraded?["status"] as? String == "installed" && upgraded?["version"] as? String == "1.1.0", "\(reconsent.json)")
            #expect((upgraded?["settings"] as? [String: Any])?["bucketPrefix"] as? String == "team-", "settings survive consenting again")

            // A revoked key signs nothing more; revoking the release disables the install, with the reason.
            let spare = Curve25519.Signing.PrivateKey()
            let spareID = try await api.created(.post, "/v1/developer/apps/\(app)/keys",
                                                json: #"{"name":"spare","publicKey":"\#(spare.publicKey.rawRepresentation.base64EncodedString())"}"#, session: ada)
            try #require(try await api.request(.post, "/v1/developer/apps/\(app)/keys/\(spareID)/revoke", json: #"{"reason":"leaked"}"#, session: ada).status == .ok)
            let v3 = Manifest(version: "1.2.0", permissions: ["sandboxes.read"])
            let revokedKey = try await api.request(.post, "/v1/developer/packages/\(package)/signatures", json: """
                {"manifestDigest":"\(v3.digest)","artifactDigest":"\(release1.artifact)","keyId":"\(spareID)","signature":"\(Release.sign(spare, manifest: v3.digest, artifact: release1.artifact))"}
                """, session: ada)
            #expect(revokedKey.status == .forbidden && revokedKey.message.contains("revoked"), "\(revokedKey.message)")
            #expect(try await api.request(.post, "/v1/marketplace/releases/\(release2.id)/decisions", json: #"{"to":"revoked"}"#, session: admin).status == .badRequest,
                    "revoking needs a reason")
            try await api.decide(release2.id, "revoked", admin, reason: "Exfiltrates data")
            let disabled = try await api.request(.get, "/v1/integration-installs/acme.object-store/state", session: bo)
            #expect(disabled.string("status") == "disabled" && disabled.string("statusReason")?.contains("Exfiltrates data") == true, "\(disabled.json)")

            // The audit names what changed, never secret values; uninstalling removes the install.
            let audit = try await api.request(.get, "/v1/integration-installs/acme.object-store/audit", session: bo)
            let actions = audit.items.compactMap { $0["action"] as? String }
            #expect(["install.created", "install.settings_changed", "install.consented"].allSatisfy(actions.contains), "\(actions)")
            #expect(!String(decoding: audit.body, as: UTF8.self).contains("s3cret"))
            #expect(try await api.request(.get, "/v1/developer/packages/\(package)/audit", session: ada).items.contains { $0["action"] as? String == "release.moved" })
            #expect(try await api.request(.delete, "/v1/integration-installs/acme.object-store", session: carol).status == .forbidden)
            #expect(try await api.request(.delete, "/v1/integration-installs/acme.object-store", session: bo).status == .noContent)
            #expect(try await api.request(.get, "/v1/integration-installs/acme.object-store/cli", session: bo).status == .notFound)
        }
    }

    /// Visibility beyond public: an allowlisted release is seen by the tenants on its list only, a beta release by
    /// those that opted in, a private one by its publisher's tenant only.
    @Test(arguments: TestEngine.available)
    func visibilityFollowsAllowlistsBetaAndPrivacy(engine: TestEngine) async throws {
        try await TestServer.run(engine) { api, _ in
            let admin = try await api.signInAdmin()
            let ada = try await api.newUser("ada@example.com", admin: admin)
            let bo = try await api.newUser("bo@example.com", admin: admin)
            _ = try await api.organization(owner: ada, members: [])
            _ = try await api.organization(owner: bo, members: [])
            try await api.tenant("pub", session: ada)
            let first = try await api.tenant("first", session: bo)
            let second = try await api.tenant("second", session: bo)
            let app = try await api.created(.post, "/v1/developer/apps", json: """
                {"name":"Acme","publisherName":"Acme","supportUrl":"https://a.example/s","termsUrl":"https://a.example/t","privacyUrl":"https://a.example/p"}
                """, session: ada)
            let signer = Curve25519.Signing.PrivateKey()
            let keyID = try await api.created(.post, "/v1/developer/apps/\(app)/keys",
                                              json: #"{"name":"k","publicKey":"\#(signer.publicKey.rawRepresentation.base64EncodedString())"}"#, session: ada)
            let package = try await api.created(.post, "/v1/developer/apps/\(app)/packages", json: #"{"extensionKey":"acme.object-store","name":"Store"}"#, session: ada)

            let privately = try await api.release(Manifest(version: "0.9.0", permissions: []), package: package, keyID: keyID, signer: signer, session: ada)
            #expect(try await api.request(.post, "/v1/developer/releases/\(privately.id)/moves", json: #"{"to":"private"}"#, session: ada).status == .ok)
            #expect(try await api.request(.get, "/v1/integration-catalog/acme.object-store", session: ada).string("version") == "0.9.0", "its publisher sees it")

            let allowlisted = try await api.release(Manifest(version: "1.0.0", permissions: []), package: package, keyID: keyID, signer: signer, session: ada)
            try #require(try await api.request(.post, "/v1/developer/releases/\(allowlisted.id)/moves", json: #"{"to":"submitted"}"#, session: ada).status == .ok)
            try await api.decide(allowlisted.id, "approved", admin)
            try #require(try await api.request(.put, "/v1/developer/releases/\(allowlisted.id)/allowlist", json: #"{"tenantIds":["\#(first)"]}"#, session: ada).status == .ok)
            try #require(try await api.request(.post, "/v1/marketplace/releases/\(allowlisted.id)/decisions", json: #"{"to":"published","visibility":"allowlisted"}"#, session: admin).status == .ok)

            let beta = try await api.release(Manifest(version: "1.1.0-beta.1", permissions: []), package: package, keyID: keyID, signer: signer, session: ada)
            try #require(try await api.request(.post, "/v1/developer/releases/\(beta.id)/moves", json: #"{"to":"submitted"}"#, session: ada).status == .ok)
            try await api.decide(beta.id, "approved", admin)
            try await api.decide(beta.id, "beta", admin)

            // bo's active tenant is `second` (created last): not on the allowlist, not opted in.
            #expect(try await api.request(.get, "/v1/integration-catalog/acme.object-store", session: bo).status == .notFound)
            try #require(try await api.request(.put, "/v1/marketplace/beta/acme.object-store", session: bo).status == .noContent)
            #expect(try await api.request(.get, "/v1/integration-catalog/acme.object-store", session: bo).string("version") == "1.1.0-beta.1", "opted in to beta")
            try #require(try await api.request(.delete, "/v1/marketplace/beta/acme.object-store", session: bo).status == .noContent)
            #expect(try await api.request(.get, "/v1/integration-catalog/acme.object-store", session: bo).status == .notFound)

            try #require(try await api.request(.post, "/v1/tenants/\(first)/activate", session: bo).status == .ok)
            let seen = try await api.request(.get, "/v1/integration-catalog/acme.object-store", session: bo)
            #expect(seen.string("version") == "1.0.0" && seen.string("visibility") == "allowlisted", "\(seen.json)")
            _ = second
        }
    }
}

extension MarketplaceTests {
    /// A digest is not a key: another tenant that signs a release naming a private artifact's digest without uploading
    /// the bytes is refused, so it has nothing to install or invoke and no artifact grant reaches those bytes.
    @Test(arguments: TestEngine.available)
    func aReleaseCannotNameAnotherTenantsContent(engine: TestEngine) async throws {
        try await TestServer.run(engine) { api, _ in
            let admin = try await api.signInAdmin()
            let ada = try await api.newUser("ada@example.com", admin: admin)
            let mallory = try await api.newUser("mallory@example.com", admin: admin)
            _ = try await api.organization(owner: ada, members: [])
            _ = try await api.organization(owner: mallory, members: [])
            try await api.tenant("pub", session: ada)
            try await api.tenant("thief", session: mallory)

            let app = try await api.created(.post, "/v1/developer/apps", json: Self.app, session: ada)
            let signer = Curve25519.Signing.PrivateKey()
            let keyID = try await api.created(.post, "/v1/developer/apps/\(app)/keys",
                                              json: #"{"name":"k","publicKey":"\#(signer.publicKey.rawRepresentation.base64EncodedString())"}"#, session: ada)
            let package = try await api.created(.post, "/v1/developer/apps/\(app)/packages", json: #"{"extensionKey":"acme.object-store","name":"Store"}"#, session: ada)
            let secret = try await api.release(Manifest(version: "1.0.0", permissions: []), package: package, keyID: keyID, signer: signer, session: ada)
            try #require(try await api.request(.post, "/v1/developer/releases/\(secret.id)/moves", json: #"{"to":"private"}"#, session: ada).status == .ok)

            // Mallory's own app, key, package and manifest; the artifact is named by ada's digest only.
            let theirApp = try await api.created(.post, "/v1/developer/apps", json: Self.app, session: mallory)
            let theirSigner = Curve25519.Signing.PrivateKey()
            let theirKey = try await api.created(.post, "/v1/developer/apps/\(theirApp)/keys",
                                                 json: #"{"name":"k","publicKey":"\#(theirSigner.publicKey.rawRepresentation.base64EncodedString())"}"#, session: mallory)
            let theirPackage = try await api.created(.post, "/v1/developer/apps/\(theirApp)/packages", json: #"{"extensionKey":"thief.copy","name":"Copy"}"#, session: mallory)
            let manifest = Manifest(version: "1.0.0", permissions: [], key: "thief.copy")
            let uploaded = try await api.upload("/v1/extension-content/\(manifest.digest)?kind=manifest", manifest.bytes, session: mallory)
            try #require(uploaded.status == .created, "\(uploaded.message)")
            let signature = try await api.request(.post, "/v1/developer/packages/\(theirPackage)/signatures", json: """
                {"manifestDigest":"\(manifest.digest)","artifactDigest":"\(secret.artifact)","keyId":"\(theirKey)","signature":"\(Release.sign(theirSigner, manifest: manifest.digest, artifact: secret.artifact))"}
                """, session: mallory)
            try #require(signature.status == .created, "\(signature.message)")
            let refused = try await api.request(.post, "/v1/developer/packages/\(theirPackage)/releases", json: """
                {"version":"1.0.0","manifestDigest":"\(manifest.digest)","artifactDigest":"\(secret.artifact)"}
                """, session: mallory)
            #expect(refused.status == .badRequest && refused.message.contains("artifactDigest") && refused.message.contains("upload it first"), "\(refused.status) \(refused.message)")
            // Nor may it name ada's manifest.
            let borrowed = try await api.request(.post, "/v1/developer/packages/\(theirPackage)/releases", json: """
                {"version":"1.0.0","manifestDigest":"\(secret.manifest)","artifactDigest":"\(secret.artifact)"}
                """, session: mallory)
            #expect(borrowed.status == .badRequest && borrowed.message.contains("manifestDigest"), "\(borrowed.status) \(borrowed.message)")

            // Nothing was created: nothing to install or invoke, and the artifact endpoint opens nothing without a grant.
            #expect(try await api.request(.get, "/v1/developer/packages/\(theirPackage)/releases", session: mallory).items.isEmpty)
            #expect(try await api.request(.post, "/v1/integration-installs/thief.copy", json: secret.consent, session: mallory).status == .notFound)
            let invoked = try await api.request(.post, "/v1/integration-extensions/thief.copy/invoke",
                                                json: #"{"operation":"objects.list","targetKind":"cluster","targetId":"x","input":{}}"#, session: mallory)
            #expect(invoked.status == .forbidden && invoked.message.contains("not installed"), "\(invoked.status) \(invoked.message)")
            #expect(try await api.request(.get, "/v1/broker/artifacts/\(secret.artifact)", session: mallory).status == .unauthorized)
        }
    }

    static let app = """
        {"name":"Tools","publisherName":"Tools","supportUrl":"https://t.example/s","termsUrl":"https://t.example/t","privacyUrl":"https://t.example/p"}
        """
}

/// A test manifest (`extension.json`) of `acme.object-store` (or another key) at a version, with a permission set.
struct Manifest {
    let version: String
    let permissions: [String]
    var key = "acme.object-store"

    var bytes: Data {
        let permissionEntries = permissions.map { name in
            #"{"name":"\#(name)","purpose":"\#(name == "sandboxes.read" ? "List buckets' sandboxes." : "Run the sync tool.")"}"#
        }.joined(separator: ",")
        return Data("""
            {"format":"globalstacks.extension.v1","key":"\(key)","name":"Object store","version":"\(version)","publisher":"Acme",
             "description":"Buckets for sandboxes.","category":"storage","tags":["s3","storage"],"brokerProtocol":"globalstacks.broker.v1",
             "entrypoint":"bin/main.py","permissions":[\(permissionEntries)],"egress":["api.acme.example"],"agentCapabilities":["extensions.python"],
             "operations":[{"name":"objects.list","targetKind":"cluster","permissions":[],"inputSchema":{"type":"object","properties":{"prefix":{"type":"string"}},"additionalProperties":false},"outputSchema":{"type":"object"}}],
             "settings":{"schema":{"type":"object","additionalProperties":false,"properties":{
                 "region":{"type":"string","enum":["eu","us"],"default":"eu"},"bucketPrefix":{"type":"string","default":"gs-"},
                 "maxObjects":{"type":"integer","minimum":1},"token":{"type":"string","minLength":8}}},
               "mutation":{"region":"immutable","bucketPrefix":"requires_reconcile"},"secrets":["token"]},
             "cli":[{"path":["objects","list"],"operation":"objects.list","short":"List objects","output":"table"}]}
            """.utf8)
    }

    var digest: String { ContentAddress.of(bytes) }
}

/// A created release with what a consent carries.
struct Release {
    let id: String
    let manifest: String
    let artifact: String

    var consent: String { consent(settings: nil) }

    func consent(settings: String?) -> String {
        #"{"manifest_digest":"\#(manifest)","artifact_digest":"\#(artifact)"\#(settings.map { #","settings":\#($0)"# } ?? "")}"#
    }

    static func sign(_ key: Curve25519.Signing.PrivateKey, _ release: Release) -> String {
        sign(key, manifest: release.manifest, artifact: release.artifact)
    }

    static func sign(_ key: Curve25519.Signing.PrivateKey, manifest: String, artifact: String) -> String {
        (try! key.signature(for: Data("globalstacks.release.v1\n\(manifest)\n\(artifact)\n".utf8))).base64EncodedString()
    }
}

enum ContentAddress {
    static func of(_ bytes: Data) -> String {
        "sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}

extension APIClient {
    /// Creates a tenant in the caller's active organization and makes it active; returns its id.
    @discardableResult
    func tenant(_ slug: String, session: Session) async throws -> String {
        let id = try await created(.post, "/v1/tenants", json: #"{"name":"\#(slug)","slug":"\#(slug)"}"#, session: session)
        try #require(try await request(.post, "/v1/tenants/\(id)/activate", session: session).status == .ok)
        return id
    }

    /// A request that must answer 201; returns the new object's id.
    func created(_ method: HTTPRequest.Method, _ uri: String, json: String, session: Session) async throws -> String {
        let reply = try await request(method, uri, json: json, session: session)
        try #require(reply.status == .created, "\(uri): \(reply.status) \(reply.message)")
        return try #require(reply.string("id"))
    }

    func upload(_ uri: String, _ bytes: Data, session: Session) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/octet-stream"]
        headers.append(session.header)
        let response = try await client.executeRequest(uri: uri, method: .put, headers: headers, body: ByteBuffer(bytes: bytes))
        return Reply(status: response.status, headers: response.headers, body: Data(response.body.readableBytesView))
    }

    /// Uploads the manifest and a fresh artifact, registers a signature over both and creates the release (draft).
    func release(_ manifest: Manifest, package: String, keyID: String, signer: Curve25519.Signing.PrivateKey, session: Session) async throws -> Release {
        let artifact = Data("#!/usr/bin/env python3\nprint('\(manifest.version)')\n".utf8)
        for (bytes, kind) in [(manifest.bytes, "manifest"), (artifact, "artifact")] {
            let reply = try await upload("/v1/extension-content/\(ContentAddress.of(bytes))?kind=\(kind)", bytes, session: session)
            try #require(reply.status == .created, "\(kind): \(reply.status) \(reply.message)")
        }
        let release = Release(id: "", manifest: manifest.digest, artifact: ContentAddress.of(artifact))
        let signature = try await request(.post, "/v1/developer/packages/\(package)/signatures", json: """
            {"manifestDigest":"\(release.manifest)","artifactDigest":"\(release.artifact)","keyId":"\(keyID)","signature":"\(Release.sign(signer, release))"}
            """, session: session)
        try #require(signature.status == .created, "\(signature.message)")
        let id = try await created(.post, "/v1/developer/packages/\(package)/releases", json: """
            {"version":"\(manifest.version)","manifestDigest":"\(release.manifest)","artifactDigest":"\(release.artifact)"}
            """, session: session)
        return Release(id: id, manifest: release.manifest, artifact: release.artifact)
    }

    func decide(_ release: String, _ to: String, _ session: Session, reason: String? = nil) async throws {
        let reply = try await request(.post, "/v1/marketplace/releases/\(release)/decisions",
                                      json: #"{"to":"\#(to)"\#(reason.map { #","reason":"\#($0)""# } ?? "")}"#, session: session)
        try #require(reply.status == .ok, "\(to): \(reply.status) \(reply.message)")
    }
}
