import Foundation

/// A durable service a tenant runs on one host (agent) of its clusters, provisioned by an installed extension and
/// run by that agent as a supervised, confined service with a data directory of its own ([data-plane.md]).
public struct DataPlaneInstance: Sendable, Equatable {
    public let id: DataPlaneInstanceID
    public let tenantID: TenantID
    /// What it is, as the extension declares (`postgresql`), or as the creator named it.
    public let provider: String
    public let extensionKey: ExtensionKey
    public let installID: ExtensionInstallID?
    /// The contract's `hostId`: the agent that runs it.
    public let agentID: AgentID
    public var state: DataPlaneInstanceState
    /// Why it is degraded or failed, in words.
    public var stateReason: String?
    /// Where the tenant's workloads reach it (a `{socketDirectory}` of the extension's answer, filled in).
    public var endpoint: String?
    public let settings: [String: JSONValue]
    public let effectiveSettings: [String: JSONValue]
    /// The last health report: results and times, as the agent sent them.
    public var health: [String: JSONValue]
    public let metadata: [String: JSONValue]
    /// How the agent runs it: the extension's answer to `provision`, kept to start it again after a restart.
    public var service: ServiceDefinition?
    /// The run that provisions it (dedupe: one create per provider and host at a time).
    public let provisionRunID: OperationRunID?
    public let createdBy: UserID?
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: DataPlaneInstanceID, tenantID: TenantID, provider: String, extensionKey: ExtensionKey, installID: ExtensionInstallID?, agentID: AgentID,
        state: DataPlaneInstanceState, stateReason: String?, endpoint: String?, settings: [String: JSONValue], effectiveSettings: [String: JSONValue],
        health: [String: JSONValue], metadata: [String: JSONValue], service: ServiceDefinition?, provisionRunID: OperationRunID?, createdBy: UserID?,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.provider = provider
        self.extensionKey = extensionKey
        self.installID = installID
        self.agentID = agentID
        self.state = state
        self.stateReason = stateReason
        self.endpoint = endpoint
        self.settings = settings
        self.effectiveSettings = effectiveSettings
        self.health = health
        self.metadata = metadata
        self.service = service
        self.provisionRunID = provisionRunID
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public typealias DataPlaneInstanceID = Identifier<DataPlaneInstance>

/// What creating an instance stores before its provisioning run does anything.
public struct NewDataPlaneInstance: Sendable {
    public let id: DataPlaneInstanceID
    public let provider: String
    public let extensionKey: ExtensionKey
    public let installID: ExtensionInstallID?
    public let agentID: AgentID
    public let settings: [String: JSONValue]
    public let effectiveSettings: [String: JSONValue]
    public let metadata: [String: JSONValue]
    public let provisionRunID: OperationRunID
    public let createdBy: UserID?

    public init(
        id: DataPlaneInstanceID, provider: String, extensionKey: ExtensionKey, installID: ExtensionInstallID?, agentID: AgentID,
        settings: [String: JSONValue], effectiveSettings: [String: JSONValue], metadata: [String: JSONValue], provisionRunID: OperationRunID,
        createdBy: UserID?
    ) {
        self.id = id
        self.provider = provider
        self.extensionKey = extensionKey
        self.installID = installID
        self.agentID = agentID
        self.settings = settings
        self.effectiveSettings = effectiveSettings
        self.metadata = metadata
        self.provisionRunID = provisionRunID
        self.createdBy = createdBy
    }
}

extension DataPlaneInstance {
    /// Where the tenant's sandboxes on the host see the service's socket directory.
    public static func socketDirectory(_ id: DataPlaneInstanceID) -> String {
        "/run/globalstacks/data-plane/\(id.rawValue)"
    }
}
