import Foundation

/// What a sandbox runs and needs, validated once when it is created.
public struct SandboxSpec: Sendable, Equatable {
    public let name: String?
    /// A template or image reference, for drivers that run images; the process driver runs `command`.
    public let template: String?
    public let command: [String]
    public let cpu: CPUQuantity
    public let memory: ByteQuantity
    public let storage: ByteQuantity
    public let environment: [String: String]
    public let labels: [String: String]
    /// Whether the sandbox may reach the network (off unless asked for).
    public let network: Bool
    public let idleTimeoutSeconds: Int?
    public let idleAction: IdleAction
    public let region: String?
    public let clusterID: ClusterID?
    public let requiredCapabilities: Set<String>
    /// The sandbox is deleted this long after it was created (`Sandbox.expiresAt`, which a client may move); nil: never.
    public let lifetimeSeconds: Int?
    /// Whether the sandbox's ports answer anyone who knows their address, not only its access token and its tenant.
    public let publicPorts: Bool

    public static let maxCommandArguments = 64
    public static let maxArgumentLength = 4_096
    public static let maxEnvironmentEntries = 64
    public static let idleTimeoutRange = 60...(7 * 86_400)
    public static let lifetimeRange = 1...(30 * 86_400)
    public static let defaultCPU = CPUQuantity(millicores: 500)
    public static let defaultMemory = ByteQuantity(bytes: 512 << 20)
    /// Per sandbox: far above any host, low enough that sums over an organization cannot overflow.
    public static let maxCPU = CPUQuantity(millicores: 1_024_000)
    public static let maxMemory = ByteQuantity(bytes: 16 << 40)
    public static let maxStorage = ByteQuantity(bytes: 64 << 40)
    /// Command, environment, template and labels together, so the start command fits one protocol message.
    public static let maxSpecBytes = 64 << 10

    public init(
        name: String?, template: String?, command: [String], cpu: CPUQuantity?, memory: ByteQuantity?, storage: ByteQuantity?,
        environment: [String: String]?, labels: [String: String]?, network: Bool?, idleTimeoutSeconds: Int?, idleAction: IdleAction?,
        region: String?, clusterID: ClusterID?, requiredCapabilities: [String]?, lifetimeSeconds: Int? = nil, publicPorts: Bool? = nil
    ) throws {
        self.name = try name.map { try Validation.name($0) }
        self.template = try template.map { try Validation.name($0, field: "template") }
        guard self.template != nil || !command.isEmpty else {
            throw DomainError.invalidInput("Give a template or a command (e.g. \"command\": [\"sleep\", \"600\"]).")
        }
        guard command.count <= Self.maxCommandArguments else {
            throw DomainError.invalidInput("command may have at most \(Self.maxCommandArguments) arguments.")
        }
        for argument in command where argument.utf8.count > Self.maxArgumentLength {
            throw DomainError.invalidInput("Each command argument must be at most \(Self.maxArgumentLength) bytes.")
        }
        if let first = command.first, first.isEmpty { throw DomainError.invalidInput("command[0] must name a program.") }
        try Validation.processInput(command: command, environment: environment, workingDirectory: nil)
        self.command = command
        self.cpu = cpu ?? Self.defaultCPU
        self.memory = memory ?? Self.defaultMemory
        self.storage = storage ?? .zero
        guard self.cpu.millicores > 0, self.memory.bytes >= 16 << 20 else {
            throw DomainError.invalidInput("resources need more than 0 CPU and at least 16Mi memory.")
        }
        guard self.cpu <= Self.maxCPU, self.memory <= Self.maxMemory, self.storage <= Self.maxStorage else {
            throw DomainError.invalidInput("resources may ask for at most \(Self.maxCPU) CPU, \(Self.maxMemory) memory and \(Self.maxStorage) storage.")
        }
        let environment = try Validation.metadata(environment, field: "environment")
        for key in environment.keys where !Self.isEnvironmentName(key) {
            throw DomainError.invalidInput("environment name '\(key.prefix(63))' must be letters, digits and '_', not starting with a digit, and not LD_* or GSTACKS_*.")
        }
        self.environment = environment
        self.labels = try Validation.metadata(labels, field: "labels")
        let texts = command + environment.flatMap { [$0.key, $0.value] } + self.labels.flatMap { [$0.key, $0.value] } + [self.template ?? ""]
        guard texts.reduce(0, { $0 + $1.utf8.count }) <= Self.maxSpecBytes else {
            throw DomainError.invalidInput("command, environment, labels and template may hold at most \(Self.maxSpecBytes / 1024) KiB together.")
        }
        self.network = network ?? false
        if let idleTimeoutSeconds, !Self.idleTimeoutRange.contains(idleTimeoutSeconds) {
            throw DomainError.invalidInput("idleTimeoutSeconds must be between \(Self.idleTimeoutRange.lowerBound) and \(Self.idleTimeoutRange.upperBound).")
        }
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.idleAction = idleAction ?? .stop
        self.region = try region.map { try Validation.name($0, field: "region") }
        self.clusterID = clusterID
        self.requiredCapabilities = try Agent.validateCapabilities(requiredCapabilities ?? [])
        if let lifetimeSeconds { try Self.checkLifetime(lifetimeSeconds) }
        self.lifetimeSeconds = lifetimeSeconds
        self.publicPorts = publicPorts ?? false
    }

    public static func checkLifetime(_ seconds: Int, field: String = "lifetimeSeconds") throws {
        guard lifetimeRange.contains(seconds) else {
            throw DomainError.invalidInput("\(field) must be between \(lifetimeRange.lowerBound) and \(lifetimeRange.upperBound) (30 days).")
        }
    }

    /// A spec as the store wrote it, taken as it is: it passed the rules of the day it was created, and a rule added
    /// since must not make a stored sandbox unreadable (its tenant could no longer list, show or delete it).
    public init(
        stored name: String?, template: String?, command: [String], cpu: CPUQuantity, memory: ByteQuantity, storage: ByteQuantity,
        environment: [String: String], labels: [String: String], network: Bool, idleTimeoutSeconds: Int?, idleAction: IdleAction,
        region: String?, clusterID: ClusterID?, requiredCapabilities: Set<String>, lifetimeSeconds: Int?, publicPorts: Bool
    ) {
        self.name = name
        self.template = template
        self.command = command
        self.cpu = cpu
        self.memory = memory
        self.storage = storage
        self.environment = environment
        self.labels = labels
        self.network = network
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.idleAction = idleAction
        self.region = region
        self.clusterID = clusterID
        self.requiredCapabilities = requiredCapabilities
        self.lifetimeSeconds = lifetimeSeconds
        self.publicPorts = publicPorts
    }

    /// POSIX names; `LD_*` (the dynamic loader's) and `GSTACKS_*` (ours) are reserved.
    private static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !CharacterSet.decimalDigits.contains(first),
              !name.hasPrefix("LD_"), !name.hasPrefix("GSTACKS_")
        else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
    }

    /// What placement needs to know.
    public var placementRequest: PlacementRequest {
        PlacementRequest(region: region, requiredCapabilities: requiredCapabilities, cpu: cpu, memory: memory)
    }
}
