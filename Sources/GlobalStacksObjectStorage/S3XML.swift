import Foundation

/// Reads the few elements of S3's answers the client needs (error `Code`/`Message`, ListObjectsV2's `Contents`).
/// S3 writes flat, machine-made XML with no CDATA and no attributes on these elements, so finding tags and decoding
/// the five predefined entities and character references is enough, and the server binary needs no XML library.
enum S3XML {
    /// The decoded text of every `<name>…</name>` in `xml`, in order.
    static func all(_ name: String, in xml: String) -> [String] {
        blocks(name, in: xml).map(decode)
    }

    static func first(_ name: String, in xml: String) -> String? {
        all(name, in: xml).first
    }

    /// The raw content of every `<name>…</name>`, for elements that hold other elements.
    static func blocks(_ name: String, in xml: String) -> [Substring] {
        var found: [Substring] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(name)>"), let close = rest[open.upperBound...].range(of: "</\(name)>") {
            found.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return found
    }

    static func decode<Text: StringProtocol>(_ text: Text) -> String {
        guard text.contains("&") else { return String(text) }
        var decoded = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            decoded += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "amp": decoded += "&"
            case "lt": decoded += "<"
            case "gt": decoded += ">"
            case "quot": decoded += "\""
            case "apos": decoded += "'"
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let scalar = number.flatMap(Unicode.Scalar.init) {
                    decoded.unicodeScalars.append(scalar)
                } else {
                    decoded += "&\(entity);"
                }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return decoded + rest
    }
}
