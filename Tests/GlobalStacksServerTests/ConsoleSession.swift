import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A browser's view of the console: signed in through `/admin/sign-in` (its token and double-submit cookie), then
/// pages with the session cookie and form posts carrying the page's CSRF token.
struct ConsoleSession {
    struct Page {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let html: String
        var location: String? { headers[.location] }
    }

    let client: any TestClientProtocol
    let cookie: String
    let csrf: String

    static func signIn(_ api: APIClient, _ email: String, _ password: String) async throws -> ConsoleSession {
        let form = try await api.client.executeRequest(uri: "/admin/sign-in", method: .get, headers: [:], body: nil)
        let html = String(buffer: form.body)
        let token = try #require(Self.capture(#"name="csrf_token" value="([^"]+)""#, in: html))
        let csrfCookie = try #require(Self.cookie("globalstacks_console_csrf", in: form.headers))
        let body = Self.encode(["csrf_token": token, "email": email, "password": password, "next": ""])
        let signedIn = try await api.client.executeRequest(uri: "/admin/sign-in", method: .post, headers: [
            .contentType: "application/x-www-form-urlencoded", .cookie: "globalstacks_console_csrf=\(csrfCookie)",
        ], body: ByteBuffer(string: body))
        try #require(signedIn.status == .found, "console sign-in: \(signedIn.status) \(String(buffer: signedIn.body))")
        let session = try #require(Self.cookie("globalstacks_session", in: signedIn.headers))
        let home = try await api.client.executeRequest(uri: "/admin", method: .get, headers: [.cookie: "globalstacks_session=\(session)"], body: nil)
        let csrf = try #require(Self.capture(#"<meta name="csrf-token" content="([^"]+)">"#, in: String(buffer: home.body)), "\(home.status)")
        return ConsoleSession(client: api.client, cookie: "globalstacks_session=\(session)", csrf: csrf)
    }

    /// Switches the session to the workspace named `name` through the chooser, as a person would (a new console
    /// session starts in the workspace the account's sessions last used, not the API session's).
    func switchWorkspace(to name: String) async throws {
        let chooser = try await get("/admin/choose-workspace")
        let choice = try #require(chooser.html.components(separatedBy: "<li>").first { $0.contains("<strong>\(name)</strong>") }, "\(chooser.html)")
        let number = try #require(Self.capture(#"name="workspace_id" value="([0-9]+)""#, in: choice))
        let switched = try await post("/admin/switch-workspace", ["workspace_id": number])
        try #require(switched.status == .found, "switch: \(switched.status) \(switched.html)")
    }

    func get(_ uri: String) async throws -> Page {
        let response = try await client.executeRequest(uri: uri, method: .get, headers: [.cookie: cookie, .accept: "text/html"], body: nil)
        return Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
    }

    /// A form post; `csrf: false` leaves the token out (what a forged cross-site post would do).
    func post(_ uri: String, _ fields: [String: String], csrf includeToken: Bool = true) async throws -> Page {
        var fields = fields
        if includeToken { fields["csrf_token"] = csrf }
        let response = try await client.executeRequest(uri: uri, method: .post, headers: [
            .cookie: cookie, .contentType: "application/x-www-form-urlencoded", .accept: "text/html",
        ], body: ByteBuffer(string: Self.encode(fields)))
        return Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
    }

    static func encode(_ fields: [String: String]) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return fields.map { "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
    }

    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    static func cookie(_ name: String, in headers: HTTPFields) -> String? {
        headers[values: .setCookie].lazy.compactMap { header -> String? in
            let pair = header.split(separator: ";").first.map(String.init) ?? ""
            guard pair.hasPrefix("\(name)=") else { return nil }
            return String(pair.dropFirst(name.count + 1))
        }.first
    }
}

extension ConsoleSession {
    /// The session as the API client's credential (the same cookie).
    var apiSession: Session { Session(header: HTTPField(name: .cookie, value: cookie), setCookie: cookie) }

    /// The value of a hidden form field in a page.
    static func hiddenField(_ name: String, in html: String) -> String? {
        capture(#"name="\#(name)" value="([^"]*)""#, in: html)
    }
}
