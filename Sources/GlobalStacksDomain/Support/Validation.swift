import Foundation

/// Input rules shared by every edge. Each check throws a `DomainError.invalidInput` naming the field.
public enum Validation {
    public static let maxNameLength = 100
    public static let maxDescriptionLength = 1_000
    public static let maxEmailLength = 254
    public static let minPasswordLength = 10
    /// bcrypt reads at most 72 bytes; longer passwords would be silently truncated.
    public static let maxPasswordBytes = 72
    public static let maxMetadataEntries = 64
    public static let maxMetadataKeyLength = 63
    public static let maxMetadataValueLength = 1_024

    /// A trimmed, non-empty display name of bounded length.
    public static func name(_ value: String, field: String = "name") throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw DomainError.invalidInput("\(field) must not be empty.")
        }
        guard trimmed.count <= maxNameLength else {
            throw DomainError.invalidInput("\(field) must be at most \(maxNameLength) characters (got \(trimmed.count)).")
        }
        guard !trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw DomainError.invalidInput("\(field) must not contain control characters.")
        }
        return trimmed
    }

    public static func description(_ value: String?) throws -> String? {
        guard let value else { return nil }
        guard value.count <= maxDescriptionLength else {
            throw DomainError.invalidInput("description must be at most \(maxDescriptionLength) characters (got \(value.count)).")
        }
        // Line breaks are fine in a description; other control characters (NUL above all) are not.
        guard !value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) && $0 != "\n" && $0 != "\r" && $0 != "\t" }) else {
            throw DomainError.invalidInput("description must not contain control characters.")
        }
        return value
    }

    /// A syntactically plausible address, returned in its canonical (lower-case, trimmed) form.
    public static func email(_ value: String, field: String = "email") throws -> EmailAddress {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count <= maxEmailLength else {
            throw DomainError.invalidInput("\(field) must be at most \(maxEmailLength) characters.")
        }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !trimmed.contains(where: { $0.isWhitespace }),
              !trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) })
        else {
            throw DomainError.invalidInput("\(field) must be an email address like name@example.com.")
        }
        return EmailAddress(canonical: trimmed.lowercased())
    }

    public static func password(_ value: String) throws -> String {
        guard value.count >= minPasswordLength else {
            throw DomainError.invalidInput("password must be at least \(minPasswordLength) characters.")
        }
        guard value.utf8.count <= maxPasswordBytes else {
            throw DomainError.invalidInput("password must be at most \(maxPasswordBytes) bytes.")
        }
        return value
    }

    public static func metadata(_ value: [String: String]?, field: String = "metadata") throws -> [String: String] {
        guard let value else { return [:] }
        guard value.count <= maxMetadataEntries else {
            throw DomainError.invalidInput("\(field) may hold at most \(maxMetadataEntries) entries.")
        }
        for (key, entry) in value {
            guard !key.isEmpty, key.count <= maxMetadataKeyLength else {
                throw DomainError.invalidInput("\(field) keys must be 1 to \(maxMetadataKeyLength) characters.")
            }
            guard !(key + entry).unicodeScalars.contains(where: { $0 == "\0" }) else {
                throw DomainError.invalidInput("\(field) must not contain NUL characters.")
            }
            guard entry.count <= maxMetadataValueLength else {
                throw DomainError.invalidInput("\(field) value for '\(key)' must be at most \(maxMetadataValueLength) characters.")
            }
        }
        return value
    }
}

/// An email address in canonical form: comparisons and uniqueness use this value.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public let canonical: String

    public init(canonical: String) {
        self.canonical = canonical
    }

    public var description: String { canonical }
}
