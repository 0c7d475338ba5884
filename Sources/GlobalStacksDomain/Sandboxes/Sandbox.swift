import Foundation

/// A workload placed on an agent (the agent contract's "session"), owned by a tenant and counted against the
/// quotas of the user who created it.
public struct Sandbox: Sendable, Equatable {
    public let id: SandboxID
    public let tenantID: TenantID
    public let organizationID: OrganizationID
    public let createdBy: UserID
    public let spec: SandboxSpec
    public let agentID: AgentID
    public let clusterID: ClusterID
    public var state: SandboxState
    public var stateChangedAt: Date
    /// Why the last command or the process failed, in words a person can act on.
    public var lastError: String?
    /// The process's exit status once it ended (the process driver's report).
    public var exitStatus: Int?
    /// Refreshed by every request that acts on the sandbox; the idle timeout counts from here.
    public var lastActivityAt: Date
    /// When the sandbox is deleted (stopped first if it runs), whatever it is doing; nil: never. See
    /// `SandboxSpec.lifetimeSeconds`.
    public var expiresAt: Date?
    public let createdAt: Date
    public var updatedAt: Date
    /// The template its root is (nil: the host's system directories, read-only).
    public let templateID: TemplateID?

    public init(
        id: SandboxID, tenantID: TenantID, organizationID: OrganizationID, createdBy: UserID, spec: SandboxSpec, agentID: AgentID,
        clusterID: ClusterID, state: SandboxState, stateChangedAt: Date, lastError: String?, exitStatus: Int?, lastActivityAt: Date,
        createdAt: Date, updatedAt: Date, expiresAt: Date? = nil, templateID: TemplateID? = nil
    ) {
        self.expiresAt = expiresAt
        self.templateID = templateID
        self.id = id
        self.tenantID = tenantID
        self.organizationID = organizationID
        self.createdBy = createdBy
        self.spec = spec
        self.agentID = agentID
        self.clusterID = clusterID
        self.state = state
        self.stateChangedAt = stateChangedAt
        self.lastError = lastError
        self.exitStatus = exitStatus
        self.lastActivityAt = lastActivityAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Moves to `next` when legal; returns whether it moved.
    @discardableResult
    public mutating func move(to next: SandboxState, at now: Date, error: String? = nil) -> Bool {
        guard state.canTransition(to: next) else { return false }
        state = next
        stateChangedAt = now
        if let error { lastError = error }
        updatedAt = now
        return true
    }
}

public typealias SandboxID = Identifier<Sandbox>

/// What happens to a running sandbox nobody has touched for its idle timeout.
public enum IdleAction: String, Sendable, Codable, CaseIterable {
    case stop
    case hibernate
}
