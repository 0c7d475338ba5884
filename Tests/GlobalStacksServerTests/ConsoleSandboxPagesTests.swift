import Foundation
import GlobalStacksTestSupport
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Testing
@testable import GlobalStacksServer

/// The console's sandbox pages through the router: signed in with the console's own form, acting on the path's
/// tenant, refusing forged forms and other tenants' sandboxes.
@Suite("Console sandbox pages")
struct ConsoleSandboxPagesTests {
    // A guard against a hang, not a figure: in the test command's parallel phase on 2 cores this test takes 130 s.
    @Test(.timeLimit(.minutes(5)))
    func sandboxPagesActOnThePathsTenantOnly() async throws {
        try await TestServer.run(.sqlite, .live) { api, _ in
            let session = try await Self.consoleSignIn(api)
            let prod = try await Self.tenant(api, session, name: "Prod", slug: "prod")
            let dev = try await Self.tenant(api, session, name: "Dev", slug: "dev")
            // An agent for Prod's sandboxes, connected so that it is online.
            try await api.request(.post, "/v1/tenants/\(prod.id)/activate", session: session)
            let clusterID = try #require(try await api.request(.post, "/v1/clusters", json: #"{"name":"Rack","ownership":"byo"}"#, session: session).string("id"))
            let token = try #require(try await api.request(.post, "/v1/clusters/\(clusterID)/provisioning-tokens", json: "{}", session: session).string("token"))
            let registered = try await AgentEnrollmentTests.register(api, token: token, AgentEnrollmentTests.host)
            let key = try #require(registered.string("apiKey"))
            if let agentID = (registered.json["agent"] as? [String: Any])?["id"] as? String {
                try await api.request(.post, "/v1/agents/\(agentID)/approve", session: session)
            }
            // The session's active tenant is now Dev: the console's pages must use the path's tenant, not this one.
            try await api.request(.post, "/v1/tenants/\(dev.id)/activate", session: session)

            let newPage = try await api.request(.get, "/admin/t/\(prod.externalID)/sandboxes/new", session: session)
            #expect(newPage.status == .ok)
            let csrf = try #require(ConsoleSession.hiddenField("csrf_token", in: newPage.text))
            #expect(newPage.text.contains(#"id="new-sandbox-form""#) && newPage.text.contains(#"id="sandbox-cpu""#))

            // Without the token (or with a wrong one) nothing is created.
            #expect(try await Self.post(api, "/admin/t/\(prod.externalID)/sandboxes/new", "name=nope", session).status == .forbidden)
            #expect(try await Self.post(api, "/admin/t/\(prod.externalID)/sandboxes/new", "name=nope&csrf_token=wrong", session).status == .forbidden)
            // A field the service refuses comes back on the form.
            let refused = try await Self.post(api, "/admin/t/\(prod.externalID)/sandboxes/new", "csrf_token=\(csrf)&cpu=lots&memory=512Mi", session)
            #expect(refused.status == .badRequest && refused.text.contains(#"id="sandbox-message""#), "\(refused.status)")

            let url = "ws://127.0.0.1:\(try #require(api.client.port))/v1/agents/connect"
            let configuration = WebSocketClientConfiguration(additionalHeaders: [.authorization: "Bearer \(key)"])
            try await WebSocketClient.connect(url: url, configuration: configuration, logger: Logger(label: "gstacks.test.agent")) { _, _, _ in
                var created = try await Self.post(api, "/admin/t/\(prod.externalID)/sandboxes/new", "csrf_token=\(csrf)&name=web&command=sleep+600", session)
                for _ in 0..<50 where created.status == .conflict {  // until the gateway has marked the agent online
                    try await Task.sleep(for: .milliseconds(50))
                    created = try await Self.post(api, "/admin/t/\(prod.externalID)/sandboxes/new", "csrf_token=\(csrf)&name=web&command=sleep+600", session)
                }
                #expect(created.status == .found, "\(created.status) \(created.text.components(separatedBy: "sandbox-message").last?.prefix(300) ?? "")")
                let location = try #require(created.headers[.location])
                #expect(location.hasPrefix("/admin/t/\(prod.externalID)/sandboxes/"))
                let sandboxID = String(location.split(separator: "/").last ?? "")

                let detail = try await api.request(.get, location, session: session)
                #expect(detail.status == .ok)
                #expect(detail.text.contains(#"id="sandbox-output""#) && detail.text.contains("data-follow=\"\(location)/output.json\""))
                #expect(detail.text.contains(#"id="sandbox-stop""#) && detail.text.contains(#"tr data-sandbox="\#(sandboxID)""#))
                let terminal = try await api.request(.get, location + "/terminal", session: session)
                #expect(terminal.status == .ok && terminal.text.contains("data-stream=\"\(location)/exec/stream\""))
                // Not started yet: no output, said as a conflict the script can wait out.
                #expect(try await api.request(.get, location + "/output.json?offset=0", session: session).status == .conflict)
                // An offset no output reaches is bad input, refused before the agent is asked.
                #expect(try await api.request(.get, location + "/output.json?offset=9223372036854775807", session: session).status == .badRequest)
                // An upload form of endless part headers is refused once what comes before its file passes the limit.
                let boundary = "gstacks-flood"
                let flood = (0..<8).map { index in
                    "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(String(repeating: "n", count: 16_000))\(index)\"\r\n\r\nx\r\n"
                }.joined() + "--\(boundary)--\r\n"
                let flooded = try await api.request(.post, location + "/files?path=/workspace", session: session, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: flood)
                #expect(flooded.status == .contentTooLarge, "\(flooded.status)")

                // Another tenant's path does not reach it, for pages, JSON, downloads and actions alike.
                let elsewhere = "/admin/t/\(dev.externalID)/sandboxes/\(sandboxID)"
                for path in [elsewhere, elsewhere + "/files", elsewhere + "/terminal", elsewhere + "/output.json", elsewhere + "/files/download?path=a"] {
                    #expect(try await api.request(.get, path, session: session).status == .notFound, "\(path)")
                }
                #expect(try await Self.post(api, elsewhere + "/actions/stop", "csrf_token=\(csrf)", session).status == .notFound)
                // Nor does a malformed id, or a tenant that is not one.
                #expect(try await api.request(.get, "/admin/t/\(prod.externalID)/sandboxes/not-an-id", session: session).status == .notFound)
                #expect(try await api.request(.get, "/admin/t/\(prod.externalID)/sandboxes/not-an-id/output.json", session: session).status == .notFound)
                #expect(try await api.request(.get, "/admin/t/nobody/sandboxes/\(sandboxID)", session: session).status == .notFound)
                #expect(try await Self.post(api, "/admin/t/\(prod.externalID)/sandboxes/not-an-id/actions/stop", "csrf_token=\(csrf)", session).status == .notFound)

                // An action with the token goes to the service (stop is accepted for a pending sandbox) and back to the page.
                let stopped = try await Self.post(api, location + "/actions/stop", "csrf_token=\(csrf)", session)
                #expect(stopped.status == .found && stopped.headers[.location] == location, "\(stopped.status) \(stopped.text)")
                // One the state does not allow comes back on the page, with the service's reason.
                let refused = try await Self.post(api, location + "/actions/hibernate", "csrf_token=\(csrf)", session)
                #expect(refused.status == .conflict && refused.text.contains(#"id="sandbox-message""#), "\(refused.status)")
                #expect(try await Self.post(api, location + "/actions/explode", "csrf_token=\(csrf)", session).status == .notFound)

                // The rest of /admin is the console's 404, with its headers; every answer says not to sniff.
                let nowhere = try await api.request(.get, "/admin/no/such/page", session: session)
                #expect(nowhere.status == .notFound && nowhere.headers[.contentSecurityPolicy] != nil && nowhere.headers[.xContentTypeOptions] == "nosniff")
                #expect(try await api.request(.get, "/v1/sandboxes", session: session).headers[.xContentTypeOptions] == "nosniff")
                #expect(try await api.request(.get, "/admin/operations?status=bogus", session: session).status == .badRequest)
            }
        }
    }

    @Test func theTerminalStreamsPathNamesItsTenant() {
        #expect(ExecStreamEndpoint.target(inPath: "/v1/sandboxes/abc/exec/stream") == .init(sandboxID: "abc", tenantExternalID: nil))
        #expect(ExecStreamEndpoint.target(inPath: "/admin/t/acme-1/sandboxes/abc/exec/stream?x=1") == .init(sandboxID: "abc", tenantExternalID: "acme-1"))
        #expect(ExecStreamEndpoint.target(inPath: "/admin/t/acme-1/sandboxes/abc/terminal") == nil)
        #expect(ExecStreamEndpoint.target(inPath: "/admin/t//sandboxes/abc/exec/stream") == nil)
    }

    @Test func piecesOfOutputEndOnWholeCharacters() {
        #expect(Array(OutputPiece.completeCharacters(Array("abc".utf8))) == Array("abc".utf8))
        let euro = Array("a€".utf8)  // € is three bytes
        #expect(Array(OutputPiece.completeCharacters(Array(euro.prefix(3)))) == [UInt8(ascii: "a")])
        #expect(Array(OutputPiece.completeCharacters(euro)) == euro)
        #expect(OutputPiece.completeCharacters([]).isEmpty)
    }

    @Test func namesOfUploadsAndDownloadsAreSafe() {
        #expect(MultipartUpload.safeName("C:\\Users\\ada\\notes.txt") == "notes.txt")
        #expect(MultipartUpload.safeName("../..") == nil && MultipartUpload.safeName("") == nil)
        #expect(MultipartUpload.parameter("name", in: #"form-data; name="file"; filename="a b.txt""#) == "file")
        #expect(MultipartUpload.parameter("filename", in: #"form-data; name="file"; filename="a b.txt""#) == "a b.txt")
        #expect(SandboxFilesPage.attachmentName("/workspace/dir/ré\"port.txt") == "r__port.txt")
        #expect(SandboxFilesPage.attachmentName("/workspace/..") == "download")
        #expect(SandboxFilesPage.directory(nil) == "/workspace" && SandboxFilesPage.directory("src/") == "/workspace/src")
    }

    // MARK: helpers

    /// Signs in with the console's form (its double-submit token) and returns the session.
    static func consoleSignIn(_ api: APIClient) async throws -> Session {
        try await ConsoleSession.signIn(api, TestServer.adminEmail, TestServer.adminPassword).apiSession
    }

    static func tenant(_ api: APIClient, _ session: Session, name: String, slug: String) async throws -> (id: String, externalID: String) {
        let id = try #require(try await api.request(.post, "/v1/tenants", json: #"{"name":"\#(name)","slug":"\#(slug)"}"#, session: session).string("id"))
        let tenant = try await api.request(.get, "/v1/tenants/\(id)", session: session)
        return (id, try #require(tenant.string("externalId"), "\(tenant.json)"))
    }

    static func post(_ api: APIClient, _ path: String, _ form: String, _ session: Session) async throws -> APIClient.Reply {
        try await ConsoleShellContextTests.post(api, path, form, session)
    }
}
