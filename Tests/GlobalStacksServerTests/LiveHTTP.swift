import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Plain HTTP against a live `ServerProcess` with a session cookie, for what the typed client does not cover
/// (publishing, review, invocations with every status they answer).
struct LiveHTTP: Sendable {
    let server: ServerProcess
    let session: String

    struct Reply: Sendable {
        let status: Int
        let body: Data

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var message: String { json["message"] as? String ?? String(decoding: body, as: UTF8.self) }
    }

    static func signIn(_ server: ServerProcess, email: String = "root@example.com", password: String = "root-password-123") async throws -> LiveHTTP {
        var request = URLRequest(url: server.url("/v1/auth/session"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"strategy":"password","loginName":"\#(email)","password":"\#(password)"}"#.utf8)
        let (_, response) = try await ServerProcess.session.data(for: request)
        let cookie = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Set-Cookie") ?? ""
        let token = try #require(cookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last.map(String.init), "signed in: \(cookie)")
        return LiveHTTP(server: server, session: token)
    }

    func call(_ method: String, _ path: String, _ body: Data? = nil, contentType: String = "application/json") async throws -> Reply {
        var request = URLRequest(url: server.url(path))
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 120
        if body != nil { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        request.setValue("globalstacks_session=\(session)", forHTTPHeaderField: "Cookie")
        let (data, response) = try await ServerProcess.session.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }

    func json(_ method: String, _ path: String, _ text: String) async throws -> Reply {
        try await call(method, path, Data(text.utf8))
    }

    /// Makes the tenant with this slug the session's active one.
    func activateTenant(slug: String) async throws {
        let tenants = try await ok("GET", "/v1/tenants")["items"] as? [[String: Any]] ?? []
        let id = try #require(tenants.first { $0["slug"] as? String == slug }?["id"] as? String, "tenant \(slug)")
        try await ok("POST", "/v1/tenants/\(id)/activate")
    }

    /// A call that must succeed (2xx); its JSON.
    @discardableResult
    func ok(_ method: String, _ path: String, _ text: String? = nil) async throws -> [String: Any] {
        let reply = try await call(method, path, text.map { Data($0.utf8) })
        try #require((200..<300).contains(reply.status), "\(method) \(path): \(reply.status) \(reply.message)")
        return reply.json
    }
}
