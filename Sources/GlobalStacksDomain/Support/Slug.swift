/// URL-safe names: lower-case letters, digits and single hyphens, 1 to 63 characters.
public struct Slug: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public static let maxLength = 63
    public let rawValue: String

    /// Validates a slug a person typed.
    public init(validating value: String, field: String = "slug") throws {
        guard !value.isEmpty, value.count <= Self.maxLength else {
            throw DomainError.invalidInput("\(field) must be 1 to \(Self.maxLength) characters.")
        }
        guard value.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw DomainError.invalidInput("\(field) may contain only lower-case letters, digits and hyphens (got '\(value)').")
        }
        guard !value.hasPrefix("-"), !value.hasSuffix("-"), !value.contains("--") else {
            throw DomainError.invalidInput("\(field) must not start or end with a hyphen or contain two hyphens in a row.")
        }
        self.rawValue = value
    }

    public init?(rawValue: String) {
        try? self.init(validating: rawValue)
    }

    /// Derives a slug from a display name: "My Team #1" → "my-team-1". Falls back to `fallback` when nothing is left.
    public static func derived(from name: String, fallback: String = "item") -> Slug {
        var result = ""
        for scalar in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(Character(scalar)) || ("0"..."9").contains(Character(scalar)) {
                result.unicodeScalars.append(scalar)
            } else if !result.isEmpty, !result.hasSuffix("-") {
                result.append("-")
            }
            if result.count >= maxLength { break }
        }
        while result.hasSuffix("-") { result.removeLast() }
        return (try? Slug(validating: result)) ?? (try! Slug(validating: fallback))
    }

    /// The same slug with a numeric suffix, kept within the length limit: "team" → "team-2".
    public func suffixed(_ number: Int) -> Slug {
        let suffix = "-\(number)"
        var base = String(rawValue.prefix(Self.maxLength - suffix.count))
        while base.hasSuffix("-") { base.removeLast() }
        return try! Slug(validating: base + suffix)
    }

    public var description: String { rawValue }
}
