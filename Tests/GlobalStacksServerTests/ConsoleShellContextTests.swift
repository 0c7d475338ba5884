import Foundation
import GlobalStacksTestSupport
import HTTPTypes
import Testing
import Yams

/// The shell-context contract's routes through the router: the JSON answers compared with the contract's examples
/// field by field and validated against its schema; the 302, 404 and 422 answers; switching, selecting, clearing,
/// recovering; no open redirect; no form post without its CSRF token.
@Suite("Console: the shell-context contract")
struct ConsoleShellContextTests {
    static let contract = ContractTests.repository.appendingPathComponent("../shared/contracts/shell-context.openapi.yaml")
    static let json: HTTPFields = [.accept: "application/json"]

    /// The contract's example `name` of `GET path`.
    static func example(_ path: String, _ name: String) throws -> [String: Any] {
        let document = try ContractTests.load(contract)
        let operation = try #require(((document["paths"] as? [String: Any])?[path] as? [String: Any])?["get"] as? [String: Any])
        let content = try #require(((operation["responses"] as? [String: Any])?["200"] as? [String: Any])?["content"] as? [String: Any])
        let examples = try #require((content["application/json"] as? [String: Any])?["examples"] as? [String: Any])
        return try #require((examples[name] as? [String: Any])?["value"] as? [String: Any])
    }

    /// Every field of the example is in the answer with the same value, except the named objects' values, which
    /// must be there with the same keys (ids and names are ours).
    static func expectMatches(_ answer: [String: Any], example: [String: Any], ours: Set<String> = ["workspace", "tenant"], _ label: String) throws {
        let actual = try #require(answer["resolvedContext"] as? [String: Any], "\(label): \(answer)")
        let expected = try #require(example["resolvedContext"] as? [String: Any])
        for (key, value) in expected {
            if ours.contains(key), let object = value as? [String: Any] {
                let mine = actual[key] as? [String: Any]
                #expect(mine.map { Set($0.keys) } == Set(object.keys), "\(label): \(key) has other fields: \(String(describing: mine))")
            } else {
                #expect(try ContractTests.canonical(actual[key]) == ContractTests.canonical(value), "\(label): \(key)")
            }
        }
        #expect(Set(actual.keys).subtracting(expected.keys).isEmpty, "\(label): fields the example does not have: \(Set(actual.keys).subtracting(expected.keys))")
    }

    /// The contract's envelope schema as a JSON Schema document, for the validator.
    static func envelopeSchema() throws -> URL {
        let document = try ContractTests.load(contract)
        let schema: [String: Any] = [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": "#/components/schemas/ResolvedShellContextEnvelope",
            "components": try #require(document["components"]),
        ]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shell-context-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: schema).write(to: url)
        return url
    }

    @Test func theContractsExamplesRoutesAndRecoveries() async throws {
        try await TestServer.run { client, _ in
            let ada = try await client.signInAdmin()
            let bo = try await client.newUser("bo@example.com", admin: ada)
            let alpha = try await client.organization(owner: ada, members: [(bo, "bo@example.com", "member")])
            let sevenExternal = try await Self.tenant(client, name: "Tenant Seven", slug: "tenant-seven", ada)
            var answers: [Data] = []
            func context(_ path: String, _ session: Session) async throws -> [String: Any] {
                let reply = try await client.request(.get, path, session: session, headers: Self.json)
                #expect(reply.status == .ok, "GET \(path): \(reply.status) \(reply.message)")
                answers.append(reply.body)
                return reply.json
            }
            let csrf = try await Self.csrfToken(client, ada)

            // Tenantless: a workspace and no tenant chosen in it yet.
            try Self.expectMatches(try await context("/admin", ada), example: Self.example("/admin", "tenantless"), "tenantless")
            try Self.expectMatches(try await context("/admin/choose-tenant", ada), example: Self.example("/admin/choose-tenant", "chooseTenant"), "chooseTenant")

            // Selecting a tenant: 302 to its entry page; the workspace page then shows it as remembered.
            let hinted = try await context("/admin?tenant=\(sevenExternal)", ada)
            let tenantNumber = try #require(((hinted["resolvedContext"] as? [String: Any])?["tenant"] as? [String: Any])?["id"] as? Int)
            let select = try await Self.post(client, "/admin/select-tenant", "tenant_id=\(tenantNumber)&csrf_token=\(csrf)", ada)
            #expect(select.status == .found && select.headers[.location] == "/admin/t/\(sevenExternal)", "\(select.status)")
            try Self.expectMatches(try await context("/admin", ada), example: Self.example("/admin", "rememberedTenant"), "rememberedTenant")
            try Self.expectMatches(try await context("/admin/t/\(sevenExternal)", ada), example: Self.example("/admin/t/{external_id}", "tenantBound"), "tenantBound")

            // Clearing from a tenant page lands on the managed tenants; from /admin it stays there, tenantless.
            var clear = try await Self.post(client, "/admin/clear-tenant-context", "return_to=/admin/t/\(sevenExternal)&csrf_token=\(csrf)", ada)
            #expect(clear.status == .found && clear.headers[.location] == "/admin/workspace/tenants")
            clear = try await Self.post(client, "/admin/clear-tenant-context", "return_to=/admin%3Ftenant%3D\(sevenExternal)&csrf_token=\(csrf)", ada)
            #expect(clear.status == .found && clear.headers[.location] == "/admin")
            try Self.expectMatches(try await context("/admin", ada), example: Self.example("/admin", "tenantless"), "tenantless after clearing")

            // A query hint names the tenant for this request only.
            try Self.expectMatches(
                try await context("/admin?tenant=\(sevenExternal)", ada), example: Self.example("/admin", "queryHintTenant"),
                ours: ["workspace", "tenant", "requestedContext"], "queryHintTenant"
            )

            // Not found, never a wider view: another workspace's tenant, an unknown hint, a workspace not ours.
            let other = try await client.request(.post, "/v1/organizations", json: #"{"name":"Globex"}"#, session: bo)
            let globexID = try #require(other.string("id"))
            try await client.request(.post, "/v1/organizations/\(globexID)/activate", session: bo)
            let hiddenExternal = try await Self.tenant(client, name: "Hidden", slug: "hidden", bo)
            for path in ["/admin/t/\(hiddenExternal)", "/admin?tenant=\(hiddenExternal)", "/admin?tenant_id=999999", "/admin/t/tnt-nosuchthing"] {
                let reply = try await client.request(.get, path, session: ada, headers: Self.json)
                #expect(reply.status == .notFound && !reply.message.isEmpty && reply.json["resolvedContext"] == nil, "GET \(path): \(reply.status)")
                #expect(try await client.request(.get, path, session: ada).status == .notFound, "GET \(path) as a page")
            }
            let globexNumber = try #require((((try await context("/admin", bo))["resolvedContext"] as? [String: Any])?["workspace"] as? [String: Any])?["id"] as? Int)
            #expect(try await Self.post(client, "/admin/switch-workspace", "workspace_id=\(globexNumber)&csrf_token=\(csrf)", ada).status == .notFound)

            // 422 for a form the route cannot take; 403 without the CSRF token or from another origin.
            for body in ["workspace_id=abc", "workspace_id=", "workspace_id=-3", ""] {
                #expect(try await Self.post(client, "/admin/switch-workspace", body + "&csrf_token=\(csrf)", ada).status == .unprocessableContent, "\(body)")
            }
            #expect(try await Self.post(client, "/admin/select-tenant", "tenant_id=x7&csrf_token=\(csrf)", ada).status == .unprocessableContent)
            #expect(try await Self.post(client, "/admin/select-tenant", "tenant_id=\(tenantNumber)", ada).status == .forbidden)
            #expect(try await Self.post(client, "/admin/select-tenant", "tenant_id=\(tenantNumber)&csrf_token=forged", ada).status == .forbidden)
            #expect(try await Self.post(
                client, "/admin/select-tenant", "tenant_id=\(tenantNumber)&csrf_token=\(csrf)", ada, headers: [.origin: "https://evil.example"]
            ).status == .forbidden)

            // Switching: to the intended page when it is ours, never to another origin.
            let personalNumber = try #require(try await Self.workspaceNumbers(client, ada).first { $0.value != alpha }?.key)
            for (next, expected) in [("/admin/operations", "/admin/operations"), ("//evil.example/x", "/admin/workspace/tenants"), ("https://evil.example", "/admin/workspace/tenants")] {
                let reply = try await Self.post(client, "/admin/switch-workspace", "workspace_id=\(personalNumber)&next=\(next)&csrf_token=\(csrf)", ada)
                #expect(reply.status == .found && reply.headers[.location] == expected, "next=\(next): \(String(describing: reply.headers[.location]))")
            }

            // Recovery: bo switches to Alpha and is removed from it; neither his session's workspace nor his last
            // choice is his any more, so every page goes to the chooser, keeping the page he asked for.
            let boCSRF = try await Self.csrfToken(client, bo)
            let alphaNumber = try #require(try await Self.workspaceNumbers(client, bo).first { $0.value == alpha }?.key)
            #expect(try await Self.post(client, "/admin/switch-workspace", "workspace_id=\(alphaNumber)&csrf_token=\(boCSRF)", bo).status == .found)
            let boID = try #require((try await client.request(.get, "/v1/auth/session", session: bo).json["user"] as? [String: Any])?["id"] as? String)
            try await client.request(.post, "/v1/organizations/\(alpha)/activate", session: ada)
            #expect(try await client.request(.delete, "/v1/organizations/current/members/\(boID)", session: ada).status == .ok)
            let lost = try await client.request(.get, "/admin/t/\(sevenExternal)", session: bo)
            #expect(lost.status == .found && lost.headers[.location] == "/admin/choose-workspace?next=/admin/t/\(sevenExternal)")
            try Self.expectMatches(try await context("/admin/choose-workspace", bo), example: Self.example("/admin/choose-workspace", "chooser"), "chooser")

            if JSONSchemaValidator.isAvailable {
                try JSONSchemaValidator.validate(answers, schema: try Self.envelopeSchema())
            }
        }
    }

    @Test func aSessionWhoseOrganizationIsGoneIsRestoredToTheOneLastChosen() async throws {
        try await TestServer.run { client, _ in
            let ada = try await client.signInAdmin()
            let bo = try await client.newUser("bo@example.com", admin: ada)
            let alpha = try await client.organization(owner: ada, members: [(bo, "bo@example.com", "member")])
            // Another session of bo's chooses his personal organization last; this one stays in Alpha.
            let boElsewhere = try await client.signIn("bo@example.com", "password-for-tests")
            let personal = try #require(try await client.request(.get, "/v1/organizations", session: boElsewhere).items.first { $0["kind"] as? String == "personal" }?["id"] as? String)
            try await client.request(.post, "/v1/organizations/\(personal)/activate", session: boElsewhere)
            let boID = try #require((try await client.request(.get, "/v1/auth/session", session: bo).json["user"] as? [String: Any])?["id"] as? String)
            try await client.request(.post, "/v1/organizations/\(alpha)/activate", session: ada)
            #expect(try await client.request(.delete, "/v1/organizations/current/members/\(boID)", session: ada).status == .ok)

            func context() async throws -> [String: Any] {
                try #require(try await client.request(.get, "/admin", session: bo, headers: Self.json).json["resolvedContext"] as? [String: Any])
            }
            let restored = try await context()
            #expect(restored["workspaceSource"] as? String == "remembered" && restored["state"] as? String == "tenantless_workspace", "\(restored)")
            // Written into the session: from now on it is the session's own.
            let after = try await context()
            #expect(after["workspaceSource"] as? String == "session_workspace")
            #expect((after["workspace"] as? [String: Any])?["id"] as? Int == (restored["workspace"] as? [String: Any])?["id"] as? Int)
        }
    }

    @Test func signInKeepsToThisOriginAndRefusesForgedForms() async throws {
        try await TestServer.run { client, _ in
            #expect(try await client.request(.get, "/admin").headers[.location] == "/admin/sign-in")
            #expect(try await client.request(.get, "/admin/t/tnt-x").headers[.location] == "/admin/sign-in?next=/admin/t/tnt-x")
            #expect(try await client.request(.get, "/admin", headers: Self.json).status == .unauthorized)
            for next in ["https://evil.example", "//evil.example", "/admin//evil.example", "/\\evil.example"] {
                let form = try await client.request(.get, "/admin/sign-in?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
                let token = try #require(ConsoleSession.hiddenField("csrf_token", in: String(decoding: form.body, as: UTF8.self)))
                let cookie = try #require(form.headers[.setCookie]?.split(separator: ";").first.map(String.init))
                #expect(ConsoleSession.hiddenField("next", in: String(decoding: form.body, as: UTF8.self)) == "", "next=\(next) is kept in the form")
                let body = "csrf_token=\(token)&email=\(TestServer.adminEmail)&password=\(TestServer.adminPassword)&next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
                let reply = try await client.request(.post, "/admin/sign-in", session: Session(header: HTTPField(name: .cookie, value: cookie), setCookie: ""), headers: [.contentType: "application/x-www-form-urlencoded"], body: body)
                #expect(reply.status == .found && reply.headers[.location] == "/admin", "next=\(next): \(String(describing: reply.headers[.location]))")
            }
            // Without the double-submit cookie the sign-in form is refused.
            let forged = try await client.request(.post, "/admin/sign-in", headers: [.contentType: "application/x-www-form-urlencoded"],
                                                  body: "csrf_token=abc&email=\(TestServer.adminEmail)&password=\(TestServer.adminPassword)")
            #expect(forged.status == .forbidden)
            let page = try await client.request(.get, "/admin/sign-in")
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            #expect(!String(decoding: page.body, as: UTF8.self).contains("<script>"))
        }
    }

    // MARK: helpers

    /// A new tenant of the session's active organization; its external id.
    static func tenant(_ client: APIClient, name: String, slug: String, _ session: Session) async throws -> String {
        try await ConsoleSandboxPagesTests.tenant(client, session, name: name, slug: slug).externalID
    }

    static func post(_ client: APIClient, _ path: String, _ body: String, _ session: Session, headers: HTTPFields = [:]) async throws -> APIClient.Reply {
        var fields = headers
        fields[.contentType] = "application/x-www-form-urlencoded"
        return try await client.request(.post, path, session: session, headers: fields, body: body)
    }

    /// The CSRF token the console's pages give this session.
    static func csrfToken(_ client: APIClient, _ session: Session) async throws -> String {
        let page = try await client.request(.get, "/admin/choose-workspace", session: session)
        let html = String(decoding: page.body, as: UTF8.self)
        let range = try #require(html.range(of: #"<meta name="csrf-token" content=""#))
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    /// The numbers the console gives the session's workspaces, with their organization ids.
    static func workspaceNumbers(_ client: APIClient, _ session: Session) async throws -> [Int: String] {
        let organizations = try await client.request(.get, "/v1/organizations", session: session).items
        let page = String(decoding: try await client.request(.get, "/admin/choose-workspace", session: session).body, as: UTF8.self)
        var numbers: [Int: String] = [:]
        for organization in organizations {
            guard let name = organization["name"] as? String, let id = organization["id"] as? String,
                  let nameRange = page.range(of: "<strong>\(name.replacingOccurrences(of: "'", with: "&#39;"))</strong>"),
                  let valueRange = page[..<nameRange.lowerBound].range(of: #"name="workspace_id" value=""#, options: .backwards),
                  let number = Int(page[valueRange.upperBound...].prefix { $0 != "\"" })
            else { continue }
            numbers[number] = id
        }
        return numbers
    }
}
