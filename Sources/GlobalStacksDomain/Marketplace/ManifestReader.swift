/// Reads fields of a JSON object, each failure a `DomainError.invalidInput` naming the field by its path
/// (`operations[1].inputSchema`), so a publisher sees exactly what to fix in `extension.json`.
struct ManifestReader {
    let object: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws {
        guard case .object(let object) = value else {
            throw DomainError.invalidInput("\(path.isEmpty ? "the manifest" : path) must be a JSON object.")
        }
        self.object = object
        self.path = path
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func refuseUnknown(_ known: Set<String>) throws {
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw DomainError.invalidInput("\(name(unknown)) is not a manifest field (known: \(known.sorted().joined(separator: ", "))).")
        }
    }

    func string(_ key: String, maxLength: Int = 200) throws -> String {
        guard let value = try optionalString(key, maxLength: maxLength) else {
            throw DomainError.invalidInput("\(name(key)) is required.")
        }
        return value
    }

    func optionalString(_ key: String, maxLength: Int = 200) throws -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard case .string(let text) = value, !text.isEmpty else {
            throw DomainError.invalidInput("\(name(key)) must be a non-empty string.")
        }
        guard text.count <= maxLength else {
            throw DomainError.invalidInput("\(name(key)) must be at most \(maxLength) characters.")
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw DomainError.invalidInput("\(name(key)) must not contain control characters.")
        }
        return text
    }

    func url(_ key: String) throws -> String? {
        guard let text = try optionalString(key, maxLength: 2_048) else { return nil }
        guard text.hasPrefix("https://") || text.hasPrefix("http://"), !text.contains(" ") else {
            throw DomainError.invalidInput("\(name(key)) must be an http(s) URL.")
        }
        return text
    }

    func strings(_ key: String, maxCount: Int = 64, maxLength: Int = 100) throws -> [String] {
        try array(key, maxCount: maxCount).enumerated().map { index, value in
            guard case .string(let text) = value, !text.isEmpty, text.count <= maxLength else {
                throw DomainError.invalidInput("\(name(key))[\(index)] must be a non-empty string of at most \(maxLength) characters.")
            }
            return text
        }
    }

    func array(_ key: String, maxCount: Int) throws -> [JSONValue] {
        guard let value = object[key], value != .null else { return [] }
        guard case .array(let items) = value else { throw DomainError.invalidInput("\(name(key)) must be an array.") }
        guard items.count <= maxCount else { throw DomainError.invalidInput("\(name(key)) may hold at most \(maxCount) entries.") }
        return items
    }

    func reader(_ key: String) throws -> ManifestReader? {
        guard let value = object[key], value != .null else { return nil }
        return try ManifestReader(value, path: name(key))
    }
}
