/// The address of uploaded content: `sha256:` and the lower-case hex SHA-256 of its exact bytes.
public struct ContentDigest: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ text: String) {
        // Checked on the UTF-8 bytes: this runs for every release a catalog lists.
        let bytes = text.utf8
        guard bytes.count == 71, text.hasPrefix("sha256:"),
              bytes.dropFirst(7).allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
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

/// The kinds of uploaded content and their size limits: a release's manifest and artifact, and a template build's
/// context (`TemplateLimits.contextBytes`).
public enum ContentKind: String, Sendable, CaseIterable, Codable {
    case manifest
    case artifact
    case buildContext = "build-context"

    public var maximumBytes: Int {
        switch self {
        case .manifest: 256 * 1024
        case .artifact: 64 * 1024 * 1024
        case .buildContext: Int(TemplateLimits.contextBytes)
        }
    }

    /// What the marketplace's uploads may be.
    public var isReleaseContent: Bool { self != .buildContext }
}
