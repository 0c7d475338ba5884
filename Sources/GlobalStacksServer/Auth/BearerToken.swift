import Foundation

/// The token of an `Authorization: Bearer …` header; the scheme name is case-insensitive (RFC 9110 §11.1).
/// `Bearer ` with nothing after it gives an empty token, which no credential matches: a malformed header is
/// refused rather than ignored in favour of a cookie.
enum BearerToken {
    static func parse(_ authorization: String?) -> String? {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else { return nil }
        return authorization.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
    }
}
