import Crypto
import Foundation
import GlobalStacksTestSupport
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import GlobalStacksServer

/// The console's marketplace, operation-run and site-administration pages through the router, signed in through the
/// console's own form: installing through the consent screen (a CSRF-less post refused), the settings form that never
/// carries a stored secret, service refusals shown on the form, a run of another workspace not found, and the site
/// pages refused to people who are not site operators or admins.
@Suite("Console: marketplace, operation runs and site administration")
struct ConsoleMarketplacePagesTests {
    @Test
    func installThroughConsentAndConfigureWithWriteOnlySecrets() async throws {
        try await TestServer.run { api, _ in
            let admin = try await api.signInAdmin()
            let ada = try await api.newUser("ada@example.com", admin: admin)
            let bo = try await api.newUser("bo@example.com", admin: admin)
            _ = try await api.organization(owner: ada, members: [])
            _ = try await api.organization(owner: bo, members: [])
            try await api.tenant("pub", session: ada)
            let tenant = try await api.tenant("use", session: bo)
            let external = try #require(try await api.request(.get, "/v1/tenants/\(tenant)", session: bo).string("externalId"))
            let release = try await Self.publishedRelease(api, publisher: ada, reviewer: admin)
            let console = try await ConsoleSession.signIn(api, "bo@example.com", "password-for-tests")
            try await console.switchWorkspace(to: "Acme")
            let base = "/admin/t/\(external)"

            let catalog = try await console.get("\(base)/marketplace")
            #expect(catalog.status == .ok && catalog.html.contains(#"id="extension-acme.object-store""#), "\(catalog.html)")
            let consent = try await console.get("\(base)/marketplace/acme.object-store")
            #expect(consent.status == .ok)
            for shown in [release.manifest, release.artifact, "api.acme.example", "extensions.python", "List the tenant&#39;s sandboxes and read their status.", #"id="install-button""#] {
                #expect(consent.html.contains(shown), "the consent screen shows \(shown)")
            }

            // Without the form's token the install is refused, and nothing is installed.
            let forged = try await console.post("\(base)/marketplace/acme.object-store", [
                "manifest_digest": release.manifest, "artifact_digest": release.artifact,
            ], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(try await api.request(.get, "/v1/integration-installs", session: bo).items.isEmpty)

            // The service refuses invalid settings; the form comes back with the person's input, never the secret.
            let invalid = try await console.post("\(base)/marketplace/acme.object-store", [
                "manifest_digest": release.manifest, "artifact_digest": release.artifact,
                "setting.bucketPrefix": "kept-prefix-", "setting.token": "short",
            ])
            #expect(invalid.status == .badRequest && invalid.html.contains("settings.token"), "\(invalid.html)")
            #expect(invalid.html.contains(#"value="kept-prefix-""#) && !invalid.html.contains("short\""), "input kept, secret not echoed")

            let installed = try await console.post("\(base)/marketplace/acme.object-store", [
                "manifest_digest": release.manifest, "artifact_digest": release.artifact,
                "setting.region": "us", "setting.token": "s3cret-token-1",
            ])
            #expect(installed.status == .found && installed.location == "\(base)/installs/acme.object-store", "\(installed.status) \(installed.html)")

            // The settings form: generated from the schema, the secret write-only.
            let page = try await console.get("\(base)/installs/acme.object-store")
            #expect(page.status == .ok)
            for control in [#"id="settings-form""#, #"id="setting-region""#, #"id="setting-bucketPrefix""#, #"id="setting-maxObjects""#, #"type="password""#, #"id="invoke-form""#] {
                #expect(page.html.contains(control), "the install page has \(control)")
            }
            #expect(!page.html.contains("s3cret-token"), "a stored secret is never rendered")

            // Saving with the secret left empty keeps it; an immutable change is refused in words, input kept.
            let saved = try await console.post("\(base)/installs/acme.object-store/settings", ["setting.region": "us", "setting.bucketPrefix": "team-", "setting.token": ""])
            #expect(saved.status == .found && saved.location?.hasPrefix("\(base)/installs/acme.object-store?saved=1&run=") == true, "\(saved.status) \(saved.html)")
            let state = try await api.request(.get, "/v1/integration-installs/acme.object-store/state", session: bo)
            #expect(state.json["secretsSet"] as? [String] == ["token"], "\(state.json)")
            let settings = try await api.request(.get, "/v1/integration-installs/acme.object-store/settings", session: bo)
            #expect((settings.json["effectiveSettings"] as? [String: Any])?["bucketPrefix"] as? String == "team-")
            let afterSave = try await console.get(try #require(saved.location))
            #expect(afterSave.html.contains(#"id="settings-saved""#) && !afterSave.html.contains("s3cret-token"))
            let frozen = try await console.post("\(base)/installs/acme.object-store/settings", ["setting.region": "eu", "setting.bucketPrefix": "other-"])
            #expect(frozen.status == .badRequest && frozen.html.contains("immutable") && frozen.html.contains(#"value="other-""#), "\(frozen.html)")

            // Invoking without an agent that runs extensions: the broker's refusal, in words, on the page.
            let invoked = try await console.post("\(base)/installs/acme.object-store/invoke", ["operation": "objects.list", "target_id": "", "input": #"{"prefix":"a"}"#])
            #expect(invoked.status.code >= 400 && invoked.html.contains(#"id="invoke-error""#), "\(invoked.status) \(invoked.html)")
            let badInput = try await console.post("\(base)/installs/acme.object-store/invoke", ["operation": "objects.list", "input": "[1"])
            #expect(badInput.status == .badRequest && badInput.html.contains("must be a JSON object"))

            let installs = try await console.get("\(base)/installs")
            #expect(installs.html.contains(#"id="install-acme.object-store""#))
        }
    }

    @Test
    func operationRunsShowTheDecisionAndStayInTheirWorkspace() async throws {
        try await TestServer.run(configure: { $0.enableTestOperations = true }) { api, _ in
            let admin = try await api.signInAdmin()
            let ada = try await api.newUser("ada@example.com", admin: admin)
            let bo = try await api.newUser("bo@example.com", admin: admin)
            _ = try await api.organization(owner: ada, members: [])
            _ = try await api.organization(owner: bo, members: [])
            let adaConsole = try await ConsoleSession.signIn(api, "ada@example.com", "password-for-tests")
            let tenantless = try await adaConsole.get("/admin/operations")
            #expect(tenantless.status == .ok && tenantless.html.contains(#"id="runs-choose-tenant-link""#), "\(tenantless.html)")

            let tenant = try await api.tenant("use", session: bo)
            let external = try #require(try await api.request(.get, "/v1/tenants/\(tenant)", session: bo).string("externalId"))
            let started = try await api.request(.post, "/v1/operations/test.noop/start", json: "{}", session: bo)
            let run = try #require((started.json["run"] as? [String: Any])?["id"] as? Int, "\(started.json)")
            let console = try await ConsoleSession.signIn(api, "bo@example.com", "password-for-tests")
            try await console.switchWorkspace(to: "Acme")

            let list = try await console.get("/admin/operations?tenant=\(external)")
            #expect(list.status == .ok && list.html.contains(#"id="run-\#(run)""#), "\(list.html)")
            let detail = try await console.get("/admin/operations/\(run)")
            #expect(detail.status == .ok && detail.html.contains(#"id="run-decision""#) && detail.html.contains("You ("), "\(detail.html)")

            // A start the gate refused: the decision in words, with what can be done about it.
            let refused = try await api.request(.post, "/v1/operations/directory.groups.sync/start", json: "{}", session: bo)
            let blocked = try #require((refused.json["run"] as? [String: Any])?["id"] as? Int, "\(refused.json)")
            let blockedPage = try await console.get("/admin/operations/\(blocked)")
            #expect(blockedPage.status == .ok && blockedPage.html.contains("<strong>Blocked.</strong>"), "\(blockedPage.html)")
            #expect(blockedPage.html.contains("The provider connection the run needs is missing") && blockedPage.html.contains(#"id="run-next-steps""#))

            // Another workspace's run is not found, the same as one that does not exist.
            #expect(try await adaConsole.get("/admin/operations/\(run)").status == .notFound)
            #expect(try await console.get("/admin/operations/999999").status == .notFound)
        }
    }

    @Test
    func siteAdministrationIsForSiteAdmins() async throws {
        try await TestServer.run { api, _ in
            let admin = try await api.signInAdmin()
            let ada = try await api.newUser("ada@example.com", admin: admin)
            _ = try await api.organization(owner: ada, members: [])
            try await api.tenant("pub", session: ada)
            let release = try await Self.submittedRelease(api, publisher: ada)
            let cluster = try #require(try await api.request(.post, "/v1/clusters", json: #"{"name":"Shared","ownership":"globalstacks-managed","slug":"shared"}"#, session: admin).string("id"))
            let token = try #require(try await api.request(.post, "/v1/clusters/\(cluster)/provisioning-tokens", json: "{}", session: admin).string("token"))
            let registered = try await AgentEnrollmentTests.register(api, token: token, AgentEnrollmentTests.host)
            let agent = try #require((registered.json["agent"] as? [String: Any])?["id"] as? String)

            let member = try await ConsoleSession.signIn(api, "ada@example.com", "password-for-tests")
            #expect(try await member.get("/admin/site/reviews").status == .forbidden, "no review queue for a non-admin")
            #expect(try await member.get("/admin/site/agents").status == .forbidden)
            #expect(try await member.post("/admin/site/reviews/\(release)/decision", ["decision": "approve"]).status == .forbidden)

            let root = try await ConsoleSession.signIn(api, TestServer.adminEmail, TestServer.adminPassword)
            let queue = try await root.get("/admin/site/reviews")
            #expect(queue.status == .ok && queue.html.contains(#"id="approve-release-\#(release)""#), "\(queue.html)")
            let rejectWithoutReason = try await root.post("/admin/site/reviews/\(release)/decision", ["decision": "reject"])
            #expect(rejectWithoutReason.status == .badRequest && rejectWithoutReason.html.contains(#"id="reviews-error""#))
            let approved = try await root.post("/admin/site/reviews/\(release)/decision", ["decision": "approve", "publish": "public"])
            #expect(approved.status == .found)
            #expect(try await api.request(.get, "/v1/marketplace/releases/\(release)", session: admin).json["release"].flatMap { ($0 as? [String: Any])?["releaseStatus"] as? String } == "published")

            let agents = try await root.get("/admin/site/agents")
            #expect(agents.status == .ok && agents.html.contains(#"id="approve-agent-\#(agent)""#), "\(agents.html)")
            #expect(try await root.post("/admin/site/agents/\(agent)/approval", ["decision": "approve"]).status == .found)
            #expect(try await api.request(.get, "/v1/agents/\(agent)", session: admin).string("approvalStatus") == "approved")
            #expect(!(try await root.get("/admin/site/agents")).html.contains(#"id="approve-agent-\#(agent)""#))
        }
    }

    // MARK: Helpers

    /// `acme.object-store` 1.0.0 (MarketplaceTests' manifest: a secret `token`, an immutable `region`) published by
    /// `publisher`'s active tenant and approved and published by `reviewer`.
    static func publishedRelease(_ api: APIClient, publisher: Session, reviewer: Session) async throws -> Release {
        let release = try await draftRelease(api, publisher: publisher)
        try #require(try await api.request(.post, "/v1/developer/releases/\(release.id)/moves", json: #"{"to":"submitted"}"#, session: publisher).status == .ok)
        try await api.decide(release.id, "approved", reviewer)
        try await api.decide(release.id, "published", reviewer)
        return release
    }

    /// The same release, submitted for review; returns its id.
    static func submittedRelease(_ api: APIClient, publisher: Session) async throws -> String {
        let release = try await draftRelease(api, publisher: publisher)
        try #require(try await api.request(.post, "/v1/developer/releases/\(release.id)/moves", json: #"{"to":"submitted"}"#, session: publisher).status == .ok)
        return release.id
    }

    private static func draftRelease(_ api: APIClient, publisher: Session) async throws -> Release {
        let app = try await api.created(.post, "/v1/developer/apps", json: """
            {"name":"Acme tools","publisherName":"Acme","supportUrl":"https://acme.example/support","termsUrl":"https://acme.example/terms","privacyUrl":"https://acme.example/privacy"}
            """, session: publisher)
        let signer = Curve25519.Signing.PrivateKey()
        let keyID = try await api.created(.post, "/v1/developer/apps/\(app)/keys",
                                          json: #"{"name":"release key","publicKey":"\#(signer.publicKey.rawRepresentation.base64EncodedString())"}"#, session: publisher)
        let package = try await api.created(.post, "/v1/developer/apps/\(app)/packages",
                                            json: #"{"extensionKey":"acme.object-store","name":"Object store","category":"storage"}"#, session: publisher)
        return try await api.release(Manifest(version: "1.0.0", permissions: ["sandboxes.read"]), package: package, keyID: keyID, signer: signer, session: publisher)
    }
}
