/// `extension.json`: what an extension is, what it may reach and what it offers (docs/marketplace.md has the format).
public struct ExtensionManifest: Sendable, Equatable {
    public static let formatVersion = "globalstacks.extension.v1"

    public let key: ExtensionKey
    public let name: String
    public let version: SemanticVersion
    public let publisher: String
    public let description: String
    public let category: String?
    public let tags: [String]
    public let homepageURL: String?
    public let repositoryURL: String?
    public let supportURL: String?
    public let brokerProtocol: String
    public let minGlobalstacksVersion: SemanticVersion?
    /// The artifact's file to run, relative to the archive's root.
    public let entrypoint: String
    public let permissions: [PermissionRequest]
    public let egress: [EgressHost]
    public let agentCapabilities: [String]
    public let operations: [ExtensionOperation]
    public let settings: ExtensionSettingsSpec
    /// The contract's `IntegrationCliCommand` objects, as declared.
    public let cliCommands: [[String: JSONValue]]
    /// What it provisions for the Data Plane, if anything (`ExtensionManifest+DataPlane.swift`).
    public let dataPlane: DataPlaneOffer?

    public struct PermissionRequest: Sendable, Equatable {
        public let permission: ExtensionPermission
        /// Why the extension needs it, shown to the person consenting.
        public let purpose: String
    }

    public struct ExtensionOperation: Sendable, Equatable {
        public let name: String
        public let targetKind: String
        public let inputSchema: JSONSchema
        public let outputSchema: JSONSchema
        public let permissions: [ExtensionPermission]
    }

    public var permissionNames: [String] { permissions.map(\.permission.rawValue).sorted() }
    public var egressNames: [String] { egress.map(\.description).sorted() }

    /// Parses and checks a manifest document; every refusal names the field.
    public init(parsing document: JSONValue) throws {
        let root = try ManifestReader(document, path: "")
        try root.refuseUnknown([
            "format", "key", "name", "version", "publisher", "description", "category", "tags", "homepageUrl", "repositoryUrl",
            "supportUrl", "brokerProtocol", "minGlobalstacksVersion", "entrypoint", "permissions", "egress", "agentCapabilities",
            "operations", "settings", "cli", "dataPlane",
        ])
        if let format = try root.optionalString("format"), format != Self.formatVersion {
            throw DomainError.invalidInput("format must be '\(Self.formatVersion)' (got '\(format)').")
        }
        key = try ExtensionKey.parse(try root.string("key"), field: "key")
        name = try root.string("name", maxLength: 100)
        let versionText = try root.string("version", maxLength: 128)
        guard let version = SemanticVersion(versionText) else {
            throw DomainError.invalidInput("version must be a semantic version like 1.4.0 (got '\(versionText)').")
        }
        self.version = version
        publisher = try root.string("publisher", maxLength: 100)
        description = try root.string("description", maxLength: 1_000)
        category = try root.optionalString("category", maxLength: 50)
        tags = try root.strings("tags", maxCount: 20, maxLength: 50)
        homepageURL = try root.url("homepageUrl")
        repositoryURL = try root.url("repositoryUrl")
        supportURL = try root.url("supportUrl")
        brokerProtocol = try root.string("brokerProtocol", maxLength: 100)
        minGlobalstacksVersion = try root.optionalString("minGlobalstacksVersion").map { text in
            guard let version = SemanticVersion(text) else {
                throw DomainError.invalidInput("minGlobalstacksVersion must be a semantic version like 0.12.0 (got '\(text)').")
            }
            return version
        }
        entrypoint = try Self.entrypoint(try root.string("entrypoint", maxLength: 255))
        permissions = try Self.permissions(root)
        egress = try root.strings("egress", maxCount: 32, maxLength: 260).enumerated().map { index, text in
            try EgressHost.parse(text, field: "egress[\(index)]")
        }
        agentCapabilities = try root.strings("agentCapabilities", maxCount: 32, maxLength: 100)
        let granted = Set(permissions.map(\.permission))
        operations = try root.array("operations", maxCount: 100).enumerated().map { index, value in
            try Self.operation(value, path: "operations[\(index)]", granted: granted)
        }
        if let duplicate = Self.firstDuplicate(operations.map(\.name)) {
            throw DomainError.invalidInput("operations declares '\(duplicate)' twice.")
        }
        settings = try root.reader("settings").map(ExtensionSettingsSpec.init(parsing:)) ?? .none
        let operationNames = Set(operations.map(\.name))
        cliCommands = try root.array("cli", maxCount: 100).enumerated().map { index, value in
            try Self.cliCommand(value, path: "cli[\(index)]", operations: operationNames)
        }
        let declared = operations
        dataPlane = try root.reader("dataPlane").map { try DataPlaneOffer(parsing: $0, operations: declared) }
    }

    private static func entrypoint(_ path: String) throws -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw DomainError.invalidInput("entrypoint must be a relative path inside the artifact, without '.' or '..' parts.")
        }
        return path
    }

    private static func permissions(_ root: ManifestReader) throws -> [PermissionRequest] {
        let requests = try root.array("permissions", maxCount: ExtensionPermission.allCases.count).enumerated().map { index, value in
            let entry = try ManifestReader(value, path: "permissions[\(index)]")
            try entry.refuseUnknown(["name", "purpose"])
            let name = try entry.string("name")
            guard let permission = ExtensionPermission(rawValue: name) else {
                throw DomainError.invalidInput("permissions[\(index)].name '\(name)' is not a known permission (known: \(ExtensionPermission.allCases.map(\.rawValue).joined(separator: ", "))).")
            }
            return PermissionRequest(permission: permission, purpose: try entry.string("purpose", maxLength: 300))
        }
        if let duplicate = firstDuplicate(requests.map(\.permission.rawValue)) {
            throw DomainError.invalidInput("permissions asks for '\(duplicate)' twice.")
        }
        return requests
    }

    private static func operation(_ value: JSONValue, path: String, granted: Set<ExtensionPermission>) throws -> ExtensionOperation {
        let entry = try ManifestReader(value, path: path)
        try entry.refuseUnknown(["name", "targetKind", "inputSchema", "outputSchema", "permissions", "description"])
        let name = try entry.string("name", maxLength: 100)
        guard name.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || "._-".contains($0) }) else {
            throw DomainError.invalidInput("\(path).name may hold only letters, digits, '.', '_' and '-'.")
        }
        let permissions = try entry.strings("permissions").enumerated().map { index, text in
            guard let permission = ExtensionPermission(rawValue: text) else {
                throw DomainError.invalidInput("\(path).permissions[\(index)] '\(text)' is not a known permission.")
            }
            guard granted.contains(permission) else {
                throw DomainError.invalidInput("\(path).permissions[\(index)] '\(text)' is not among the manifest's permissions.")
            }
            return permission
        }
        return ExtensionOperation(
            name: name, targetKind: try entry.string("targetKind", maxLength: 50),
            inputSchema: try JSONSchema.checked(entry.object["inputSchema"] ?? .bool(true), field: "\(path).inputSchema"),
            outputSchema: try JSONSchema.checked(entry.object["outputSchema"] ?? .bool(true), field: "\(path).outputSchema"),
            permissions: permissions
        )
    }

    private static func cliCommand(_ value: JSONValue, path: String, operations: Set<String>) throws -> [String: JSONValue] {
        let entry = try ManifestReader(value, path: path)
        let words = try entry.strings("path", maxCount: 8, maxLength: 50)
        guard !words.isEmpty, words.allSatisfy({ $0.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" } }) else {
            throw DomainError.invalidInput("\(path).path must be one or more words of letters, digits and '-'.")
        }
        let operation = try entry.string("operation", maxLength: 100)
        guard operations.contains(operation) else {
            throw DomainError.invalidInput("\(path).operation '\(operation)' is not one of the manifest's operations.")
        }
        if let output = try entry.optionalString("output"), !["json", "table", "passthrough"].contains(output) {
            throw DomainError.invalidInput("\(path).output must be json, table or passthrough.")
        }
        _ = try entry.array("args", maxCount: 32)
        _ = try entry.array("flags", maxCount: 64)
        return entry.object
    }

    static func firstDuplicate(_ values: [String]) -> String? {
        var seen: Set<String> = []
        return values.first { !seen.insert($0).inserted }
    }
}

/// An extension's globally unique key: lower-case words joined by '-' or '.', e.g. `acme.object-storage`.
public struct ExtensionKey: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        let labels = rawValue.split(separator: ".", omittingEmptySubsequences: false)
        guard (3...100).contains(rawValue.count), !labels.isEmpty, labels.allSatisfy({ label in
            !label.isEmpty && label.first!.isASCIILetter && label.last != "-"
                && label.allSatisfy { ("a"..."z").contains($0) || $0.isASCIIDigit || $0 == "-" }
        }) else { return nil }
        self.rawValue = rawValue
    }

    public static func parse(_ text: String, field: String = "extensionKey") throws -> ExtensionKey {
        guard let key = ExtensionKey(rawValue: text) else {
            throw DomainError.invalidInput("\(field) must be 3 to 100 characters of lower-case letters, digits and '-', in labels joined by '.', each starting with a letter (e.g. acme.object-storage).")
        }
        return key
    }

    public var description: String { rawValue }
}

/// A host an extension may reach, with its port (443 unless given). Names only: an IP literal would bypass the name
/// checks egress enforcement relies on.
public struct EgressHost: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public static func parse(_ text: String, field: String) throws -> EgressHost {
        var host = Substring(text.lowercased())
        var port = 443
        if let colon = host.lastIndex(of: ":") {
            guard let number = Int(host[host.index(after: colon)...]), (1...65_535).contains(number) else {
                throw DomainError.invalidInput("\(field) '\(text)' has a port that is not a number from 1 to 65535.")
            }
            port = number
            host = host[..<colon]
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard !host.isEmpty, host.count <= 253, labels.allSatisfy({ label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { ("a"..."z").contains($0) || $0.isASCIIDigit || $0 == "-" }
        }) else {
            throw DomainError.invalidInput("\(field) '\(text)' must be a host name like api.example.com, optionally with ':port'.")
        }
        guard !labels.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }) else {
            throw DomainError.invalidInput("\(field) '\(text)' is an IP address; declare host names only.")
        }
        return EgressHost(host: String(host), port: port)
    }

    public var description: String { port == 443 ? host : "\(host):\(port)" }
}
