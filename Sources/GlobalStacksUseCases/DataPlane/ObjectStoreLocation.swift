import Foundation
import GlobalStacksDomain

/// The rules of where an object store points: S3's bucket names, a prefix of plain path segments, bounded metadata,
/// and the reference to its credentials (the provider extension's install secrets in the tenant, never a value).
enum ObjectStoreLocation {
    /// S3's rules for new buckets: 3–63 lower-case letters, digits, '.' and '-', starting and ending with a letter or
    /// digit, not shaped like an IP address.
    static func bucket(_ name: String) throws -> String {
        let allowed = name.allSatisfy { $0.isLetterOrDigitASCII || $0 == "." || $0 == "-" }
        guard (3...63).contains(name.count), allowed, name.first.map(\.isLetterOrDigitASCII) == true, name.last.map(\.isLetterOrDigitASCII) == true,
              !name.contains(".."), name.split(separator: ".").count != 4 || !name.split(separator: ".").allSatisfy({ Int($0) != nil })
        else {
            throw DomainError.invalidInput("bucket must be 3 to 63 lower-case letters, digits, '.' or '-', starting and ending with a letter or digit.")
        }
        return name
    }

    /// Path segments joined by '/', without a leading '/', '.' or '..' segments, or control characters; the empty
    /// prefix is none.
    static func prefix(_ text: String) throws -> String? {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard !trimmed.isEmpty else { return nil }
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard trimmed.utf8.count <= 512, !trimmed.hasPrefix("/"), !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
              !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f })
        else {
            throw DomainError.invalidInput("prefix must be at most 512 bytes of '/'-separated names, without '.', '..', empty names or control characters.")
        }
        return trimmed
    }

    static func metadata(_ metadata: [String: JSONValue]) throws {
        guard metadata.count <= 64, (try JSONValue.object(metadata).encodedText()).utf8.count <= 16 << 10 else {
            throw DomainError.invalidInput("metadata may hold at most 64 keys and 16 KiB of JSON.")
        }
    }

    /// Where the store's credentials are: the secret settings of the provider's install in the same tenant.
    static func credentialReference(_ key: ExtensionKey) -> String {
        "install:\(key.rawValue)#secrets"
    }
}

private extension Character {
    /// A lower-case ASCII letter or a digit.
    var isLetterOrDigitASCII: Bool { ("a"..."z").contains(self) || ("0"..."9").contains(self) }
}
