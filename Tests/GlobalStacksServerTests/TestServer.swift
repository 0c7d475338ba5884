import Foundation
import GlobalStacksStore
import GlobalStacksTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import GlobalStacksServer

/// Starts the real application (store, migrations, first start, router) on a fresh database of one engine.
enum TestServer {
    static let adminEmail = "root@example.com"
    static let adminPassword = "root-password-123"

    static func configuration(_ database: TestDatabase) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.bcryptCost = 4
        configuration.initialAdminEmail = adminEmail
        configuration.initialAdminPassword = adminPassword
        configuration.publicURL = "https://gstacks.example.com"
        // Extension content and the secret-sealing key live in the data directory; each test gets its own.
        configuration.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-test-\(UUID().uuidString)").path
        configuration.database = switch database.engine {
        case .sqlite: .sqlite(path: database.location)
        case .postgres: .postgres(url: database.location)
        }
        return configuration
    }

    static func run<T: Sendable>(
        _ engine: TestEngine = .sqlite, _ mode: TestingSetup = .router,
        configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (APIClient, TestDatabase) async throws -> T
    ) async throws -> T {
        let database = try await TestDatabase.make(engine)
        var configuration = configuration(database)
        configure(&configuration)
        let app = try await buildApplication(configuration, logger: TestDatabase.logger)
        return try await app.test(mode) { client in
            try await body(APIClient(client: client), database)
        }
    }
}

/// A thin JSON client over Hummingbird's test client.
struct APIClient: Sendable {
    let client: any TestClientProtocol

    struct Reply: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: Data

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }

        func string(_ key: String) -> String? { json[key] as? String }
        var message: String { string("message") ?? "" }
        /// The body as text (a console page).
        var text: String { String(decoding: body, as: UTF8.self) }
        var items: [[String: Any]] { (json["items"] as? [[String: Any]]) ?? [] }
    }

    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, session: Session? = nil, headers extra: HTTPFields = [:], body: String? = nil
    ) async throws -> Reply {
        var headers = extra
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        if let session { headers.append(session.header) }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: (json ?? body).map { ByteBuffer(string: $0) })
        return Reply(status: response.status, headers: response.headers, body: Data(response.body.readableBytesView))
    }

    /// Signs in with a password and returns the session cookie.
    func signIn(_ email: String, _ password: String) async throws -> Session {
        let reply = try await request(.post, "/v1/auth/session", json: #"{"strategy":"password","loginName":"\#(email)","password":"\#(password)"}"#)
        try #require(reply.status == .ok, "sign-in failed: \(reply.status) \(reply.message)")
        let cookie = try #require(reply.headers[.setCookie])
        let token = try #require(cookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last)
        return Session(header: HTTPField(name: .cookie, value: "globalstacks_session=\(token)"), setCookie: cookie)
    }

    func signInAdmin() async throws -> Session {
        try await signIn(TestServer.adminEmail, TestServer.adminPassword)
    }

    /// Creates the organization `Acme`, owned by `owner`, with each of `members` (a session, its email and the role
    /// to invite it with) invited and accepted; everyone has it active. Returns its id.
    func organization(owner: Session, members: [(session: Session, email: String, role: String)]) async throws -> String {
        let orgID = try #require(try await request(.post, "/v1/organizations", json: #"{"name":"Acme"}"#, session: owner).string("id"))
        try await request(.post, "/v1/organizations/\(orgID)/activate", session: owner)
        for member in members {
            let invitation = try await request(
                .post, "/v1/organizations/current/invitations", json: #"{"email":"\#(member.email)","role":"\#(member.role)"}"#, session: owner
            )
            let token = try #require(invitation.string("acceptUrl")?.components(separatedBy: "/invitations/").last?.components(separatedBy: "/").first)
            try #require(try await request(.post, "/v1/invitations/\(token)/accept", session: member.session).status == .ok)
            try await request(.post, "/v1/organizations/\(orgID)/activate", session: member.session)
        }
        return orgID
    }

    /// Creates an account as the admin and signs it in.
    func newUser(_ email: String, admin: Session, password: String = "password-for-tests") async throws -> Session {
        let reply = try await request(.post, "/v1/users", json: #"{"email":"\#(email)","displayName":"\#(email)","password":"\#(password)"}"#, session: admin)
        try #require(reply.status == .created, "\(reply.status) \(reply.message)")
        return try await signIn(email, password)
    }
}

/// A signed-in client's credential header.
struct Session: Sendable {
    let header: HTTPField
    let setCookie: String

    static func bearer(_ key: String) -> Session {
        Session(header: HTTPField(name: .authorization, value: "Bearer \(key)"), setCookie: "")
    }
}
