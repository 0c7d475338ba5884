import Foundation

/// How an agent runs a data-plane instance's service: the provisioning extension's answer, checked here because it
/// comes from third-party code. The service sees its data directory at `/data` and its socket directory at
/// `/run/service`; `endpoint` may name `{socketDirectory}`, where the tenant's sandboxes see that directory.
public struct ServiceDefinition: Sendable, Equatable, Codable {
    public struct HealthCheck: Sendable, Equatable, Codable {
        public let command: [String]
        public let intervalSeconds: Int?
        public let timeoutSeconds: Int?
        public let failureThreshold: Int?
    }

    public let command: [String]
    public let initCommand: [String]?
    public let environment: [String: String]?
    /// `cpu` and `memory` as Kubernetes quantities.
    public let resources: [String: String]?
    public let healthCheck: HealthCheck?
    public let endpoint: String?

    public static let socketDirectoryPlaceholder = "{socketDirectory}"
    /// The most one service may ask for (the agent refuses more too): one tenant's service must not take a shared host.
    public static let maximumCPU = CPUQuantity(millicores: 8_000)
    public static let maximumMemory = ByteQuantity(bytes: 32 << 30)

    /// Reads the `outputs` of a `provision` operation (`{"service": {...}, "endpoint": "..."}`), refusing what an
    /// agent must not be asked to run; every refusal names the field.
    public init(provisionOutputs outputs: [String: JSONValue]) throws {
        guard case .object(let service)? = outputs["service"] else {
            throw DomainError.invalidInput("The extension's answer has no 'service' object.")
        }
        let reader = try ManifestReader(.object(service), path: "service")
        try reader.refuseUnknown(["command", "initCommand", "environment", "resources", "healthCheck"])
        command = try Self.commandLine(reader, "command")
        let hasInit = reader.object["initCommand"].map { $0 != .null } ?? false
        initCommand = hasInit ? try Self.commandLine(reader, "initCommand") : nil
        environment = try Self.strings(reader, "environment")
        if let environment { try Validation.processEnvironment(environment) }
        let resources = try Self.strings(reader, "resources")
        if let resources {
            guard Set(resources.keys).isSubset(of: ["cpu", "memory"]) else {
                throw DomainError.invalidInput("service.resources may name cpu and memory only.")
            }
            if let cpu = try resources["cpu"].map({ try CPUQuantity(parsing: $0) }), cpu > Self.maximumCPU {
                throw DomainError.invalidInput("service.resources.cpu may be at most \(Self.maximumCPU).")
            }
            if let memory = try resources["memory"].map({ try ByteQuantity(parsing: $0) }), memory > Self.maximumMemory {
                throw DomainError.invalidInput("service.resources.memory may be at most \(Self.maximumMemory).")
            }
        }
        self.resources = resources
        if let check = reader.object["healthCheck"], check != .null {
            let health = try ManifestReader(check, path: "service.healthCheck")
            try health.refuseUnknown(["command", "intervalSeconds", "timeoutSeconds", "failureThreshold"])
            healthCheck = HealthCheck(
                command: try Self.commandLine(health, "command"), intervalSeconds: try Self.seconds(health, "intervalSeconds", 1...3_600),
                timeoutSeconds: try Self.seconds(health, "timeoutSeconds", 1...300), failureThreshold: try Self.seconds(health, "failureThreshold", 1...100)
            )
        } else {
            healthCheck = nil
        }
        switch outputs["endpoint"] {
        case nil, .null?: endpoint = nil
        case .string(let text)? where !text.isEmpty && text.count <= 1_000 && !text.unicodeScalars.contains(where: { $0.value < 0x20 }): endpoint = text
        default: throw DomainError.invalidInput("endpoint must be a string of at most 1,000 characters without control characters.")
        }
    }

    /// The endpoint with the socket directory filled in.
    public func endpoint(socketDirectory: String) -> String? {
        endpoint?.replacingOccurrences(of: Self.socketDirectoryPlaceholder, with: socketDirectory)
    }

    private static func commandLine(_ reader: ManifestReader, _ key: String) throws -> [String] {
        let words = try reader.strings(key, maxCount: 128, maxLength: 4_096)
        guard !words.isEmpty else { throw DomainError.invalidInput("\(reader.name(key)) must name a program.") }
        for (index, word) in words.enumerated() { try Validation.processArgument(word, field: "\(reader.name(key))[\(index)]") }
        return words
    }

    private static func strings(_ reader: ManifestReader, _ key: String) throws -> [String: String]? {
        guard let value = reader.object[key], value != .null else { return nil }
        guard case .object(let object) = value, object.count <= 64 else {
            throw DomainError.invalidInput("\(reader.name(key)) must be an object of at most 64 strings.")
        }
        return try object.mapValues { item in
            guard case .string(let text) = item, text.utf8.count <= 8_192 else {
                throw DomainError.invalidInput("\(reader.name(key)) values must be strings of at most 8 KiB.")
            }
            return text
        }
    }

    private static func seconds(_ reader: ManifestReader, _ key: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let value = reader.object[key], value != .null else { return nil }
        guard case .number(let number) = value, let whole = Int(exactly: number), range.contains(whole) else {
            throw DomainError.invalidInput("\(reader.name(key)) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return whole
    }
}
