import Foundation
import GlobalStacksDomain

/// Checks of what publishers and reviewers write in the marketplace.
extension Validation {
    /// An http(s) URL of at most 2,048 characters.
    static func webURL(_ value: String, field: String) throws -> String {
        guard value.count <= 2_048, value.hasPrefix("https://") || value.hasPrefix("http://"), URL(string: value)?.host != nil else {
            throw DomainError.invalidInput("\(field) must be an http(s) URL.")
        }
        return value
    }

    /// The reason given for a move or a revocation: trimmed, 1 to 500 characters, no control characters but newlines.
    static func reason(_ value: String) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(trimmed.count), !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw DomainError.invalidInput("reason must be 1 to 500 characters without control characters.")
        }
        return trimmed
    }
}
