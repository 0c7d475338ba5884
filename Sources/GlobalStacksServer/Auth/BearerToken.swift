import Foundation

/// The token of an `Authorization: Bearer …` header; the scheme name is case-insensitive (RFC 9110 §11.1).
enum BearerToken {
    static func parse(_ authorization: String?) -> String? {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else { return nil }
        let token = authorization.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
