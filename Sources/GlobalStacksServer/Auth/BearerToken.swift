import Foundation

/// The token of an `Authorization: Bearer …` header; the scheme name is case-insensitive (RFC 9110 §11.1).
/// `Bearer` with nothing after it (HTTP trims the trailing space) gives an empty token, which no credential
/// matches: a malformed header is refused rather than ignored in favour of a cookie.
enum BearerToken {
    static func parse(_ authorization: String?) -> String? {
        guard let header = authorization?.trimmingCharacters(in: .whitespaces) else { return nil }
        let scheme = header.prefix { $0 != " " }
        guard scheme.lowercased() == "bearer" else { return nil }
        return header.dropFirst(scheme.count).trimmingCharacters(in: .whitespaces)
    }
}
