import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Cross-site request forgery tokens. A signed-in form carries a token derived from the session's secret (one-way:
/// the token does not reveal the session, and no other site can compute it without the `HttpOnly` cookie). The
/// sign-in form, before any session, carries a random token that must match a cookie of its own (double submit).
enum ConsoleCSRF {
    static let fieldName = "csrf_token"
    static let headerName = HTTPField.Name("X-CSRF-Token")!
    static let signInCookieName = "globalstacks_console_csrf"

    static func token(forSession sessionToken: String) -> String {
        let digest = SHA256.hash(data: Data("globalstacks-console-csrf:\(sessionToken)".utf8))
        return Data(digest).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func randomToken() -> String {
        (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// Compares in time independent of where the two differ.
    static func matches(_ presented: String?, _ expected: String) -> Bool {
        guard let presented, presented.utf8.count == expected.utf8.count else { return false }
        return zip(presented.utf8, expected.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// A form post from another origin is refused even before its token is read (browsers send `Origin` on posts).
    static func isCrossOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin] else { return false }
        guard origin != "null" else { return true }
        guard let host = request.head.authority else { return true }
        guard let url = URL(string: origin), let originHost = url.host else { return true }
        let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
        return originAuthority.lowercased() != host.lowercased()
    }
}
