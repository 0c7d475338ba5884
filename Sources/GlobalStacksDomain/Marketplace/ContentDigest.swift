/// The address of uploaded content: `sha256:` and the lower-case hex SHA-256 of its exact bytes.
public struct ContentDigest: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ text: String) {
        let hex = text.dropFirst("sha256:".count)
        guard text.hasPrefix("sha256:"), hex.count == 64, hex.allSatisfy({ $0.isASCIIDigit || ("a"..."f").contains($0) }) else {
            return nil
        }
        rawValue = text
    }

    /// A digest from a request field, or 400 naming the field.
    public static func parse(_ text: String, field: String) throws -> ContentDigest {
        guard let digest = ContentDigest(text) else {
            throw DomainError.invalidInput("\(field) must be 'sha256:' followed by 64 lower-case hex digits (the SHA-256 of the exact bytes).")
        }
        return digest
    }

    /// The hex part, safe as a file name.
    public var hex: String { String(rawValue.dropFirst("sha256:".count)) }
    public var description: String { rawValue }
}

/// The two kinds of uploaded content and their size limits.
public enum ContentKind: String, Sendable, CaseIterable, Codable {
    case manifest
    case artifact

    public var maximumBytes: Int {
        switch self {
        case .manifest: 256 * 1024
        case .artifact: 64 * 1024 * 1024
        }
    }
}
