import Foundation

/// What an agent runs sandboxes on. The contract's platforms, plus `process` (our host agent's process driver).
public enum AgentPlatform: String, Sendable, Codable, CaseIterable {
    case kubernetes, docker, vm, cloud, process
}

/// A host enrolled into a cluster. It authenticates with its own key (stored as a hash) and gets work only when approved.
public struct Agent: Sendable, Equatable {
    public let id: AgentID
    public let clusterID: ClusterID
    /// The name the host chose (`agentId` in the contract), unique in its cluster.
    public let name: String
    public let platform: AgentPlatform
    public let region: String?
    public var capacity: AgentCapacity?
    public var capabilities: Set<String>
    public var metadata: [String: String]
    public var approval: AgentApproval
    public var approvalChangedAt: Date?
    public var approvalChangedBy: UserID?
    /// Presence as the gateway sees it: `online` or `offline`.
    public var connectivity: AgentConnectivity
    /// Set by a person: the agent finishes what it has and takes no new sandboxes. Survives reconnects.
    public var drainingSince: Date?
    public var lastHeartbeatAt: Date?
    public let keyPrefix: String
    public var revokedAt: Date?
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: AgentID, clusterID: ClusterID, name: String, platform: AgentPlatform, region: String?, capacity: AgentCapacity?,
        capabilities: Set<String>, metadata: [String: String], approval: AgentApproval, approvalChangedAt: Date?,
        approvalChangedBy: UserID?, connectivity: AgentConnectivity, drainingSince: Date?, lastHeartbeatAt: Date?, keyPrefix: String,
        revokedAt: Date?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.clusterID = clusterID
        self.name = name
        self.platform = platform
        self.region = region
        self.capacity = capacity
        self.capabilities = capabilities
        self.metadata = metadata
        self.approval = approval
        self.approvalChangedAt = approvalChangedAt
        self.approvalChangedBy = approvalChangedBy
        self.connectivity = connectivity
        self.drainingSince = drainingSince
        self.lastHeartbeatAt = lastHeartbeatAt
        self.keyPrefix = keyPrefix
        self.revokedAt = revokedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// What people see: offline when not connected, else draining or online.
    public var status: AgentConnectivity {
        connectivity == .offline ? .offline : drainingSince == nil ? .online : .draining
    }

    /// Approved, not revoked, connected and not draining.
    public var receivesWork: Bool {
        approval == .approved && revokedAt == nil && status == .online
    }

    /// An agent name: 3…100 letters, digits, `-`, `_` or `.` (e.g. `k8s-prod-us-east-1`), the contract's
    /// `AgentRegistrationRequest.agentId` (`min=3,max=100`).
    public static func validateName(_ value: String) throws -> String {
        guard (3...100).contains(value.count), value.allSatisfy(nameCharacters.contains) else {
            throw DomainError.invalidInput("agentId must be 3 to 100 letters, digits, '-', '_' or '.'.")
        }
        return value
    }

    /// The name an agent takes when its operator gives none: the host name, with characters a name may not
    /// hold replaced by `-`, cut to 100, and suffixed with `-agent` when shorter than 3 (a host called `vm`
    /// becomes `vm-agent`).
    public static func defaultName(hostName: String) -> String {
        let cleaned = String(hostName.map { nameCharacters.contains($0) ? $0 : "-" }.prefix(100))
        return cleaned.count < 3 ? cleaned + (cleaned.isEmpty ? "agent" : "-agent") : cleaned
    }

    private static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")

    /// A capability (trait) name: 1…64 lower-case letters, digits, `-`, `_`, `.` or `:`; at most 32 of them.
    public static func validateCapabilities(_ values: [String]) throws -> Set<String> {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.:")
        guard values.count <= 32 else { throw DomainError.invalidInput("An agent may declare at most 32 capabilities.") }
        for value in values where !(1...64).contains(value.count) || !value.allSatisfy(allowed.contains) {
            throw DomainError.invalidInput("Capability '\(value.prefix(64))' must be 1 to 64 lower-case letters, digits, '-', '_', '.' or ':'.")
        }
        return Set(values)
    }
}

public typealias AgentID = Identifier<Agent>
