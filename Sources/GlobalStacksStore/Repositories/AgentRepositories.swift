import Foundation
import GlobalStacksDomain

/// A provisioning token being issued.
public struct NewProvisioningToken: Sendable {
    public let name: String?
    public let tokenHash: String
    public let tokenPrefix: String
    public let singleUse: Bool
    public let expiresAt: Date
    public let createdBy: UserID

    public init(name: String?, tokenHash: String, tokenPrefix: String, singleUse: Bool, expiresAt: Date, createdBy: UserID) {
        self.name = name
        self.tokenHash = tokenHash
        self.tokenPrefix = tokenPrefix
        self.singleUse = singleUse
        self.expiresAt = expiresAt
        self.createdBy = createdBy
    }
}

/// Provisioning tokens and agents, reached through their cluster (`ClusterVisibility`): agents are visible to whoever
/// sees their cluster; tokens, and changes to agents, need a scope that may change the cluster (else not found).
public protocol AgentRepository: Sendable {
    func createProvisioningToken(_ token: NewProvisioningToken, clusterID: ClusterID, _ scope: ClusterVisibility, at now: Date) async throws -> ProvisioningToken
    func provisioningTokens(clusterID: ClusterID, _ scope: ClusterVisibility) async throws -> [ProvisioningToken]
    func revokeProvisioningToken(id: ProvisioningTokenID, clusterID: ClusterID, _ scope: ClusterVisibility, at now: Date) async throws -> ProvisioningToken
    func agents(visibleTo scope: ClusterVisibility, clusterID: ClusterID?) async throws -> [Agent]
    func agent(id: AgentID, visibleTo scope: ClusterVisibility) async throws -> Agent?
    func updateAgent(id: AgentID, _ scope: ClusterVisibility, at now: Date, _ change: @Sendable (inout Agent) throws -> Void) async throws -> Agent
}

/// What the server needs to enroll its own embedded agent: it acts for the platform without a principal (the first
/// site admin is recorded as the operator). Held by the embedded agent only.
public protocol EmbeddedAgentBootstrap: Sendable {
    /// The managed cluster with this slug, created when there is none.
    func managedCluster(slug: Slug, creatingWithName name: String, provider: String, metadata: [String: String], at now: Date) async throws -> Cluster
    /// Issues a provisioning token for a managed cluster (not found for any other cluster).
    func createProvisioningToken(_ token: NewProvisioningToken, managedClusterID: ClusterID, at now: Date) async throws -> ProvisioningToken
    /// Approves an agent of a managed cluster (not found for any other agent).
    func approveManagedAgent(id: AgentID, by approver: UserID, at now: Date) async throws -> Agent
}

/// What an agent does with its own tokens before it has a connection: enroll with a provisioning token, rotate its key
/// with its current key. The presented secret's hash is the proof; held by the agents' enrollment, never by handlers.
public protocol AgentEnrollmentAuthority: Sendable {
    /// Enrolls an agent with the token whose hash is given (consuming a single-use token), pending approval.
    /// An unknown or unusable token is `unauthenticated`; an agent name taken in the cluster is a conflict.
    func registerAgent(_ registration: AgentRegistration, provisioningTokenHash: String, keyHash: String, keyPrefix: String, at now: Date) async throws -> Agent
    /// Replaces the agent's current key with the new one; the previous key keeps connecting until
    /// `previousKeyValidUntil`. Repeating a rotation that already happened (the previous key with the same new key:
    /// the agent never saw the answer) succeeds without changing anything. Any other presented key is `unauthenticated`;
    /// a new key that any agent holds, now or as its previous key, is `invalidInput` (the same answer whoever holds it).
    func rotateAgentKey(presentedKeyHash: String, newKeyHash: String, newKeyPrefix: String, previousKeyValidUntil: Date, at now: Date) async throws -> Agent
}

extension AgentPresenceRepository {
    /// A connection to a replica that relays nothing (a single server).
    public func markAgentConnected(_ id: AgentID, connectionID: String, at now: Date) async throws {
        try await markAgentConnected(id, connectionID: connectionID, relayURL: nil, at: now)
    }
}

/// What the agent gateway records: who is connected and when each agent was last heard from.
public protocol AgentPresenceRepository: Sendable {
    /// The agent holding this key (or its previous key, within the grace period after a rotation), unless it was revoked.
    func agent(keyHash: String, at now: Date) async throws -> Agent?
    /// The agent connected (`connectionID` names this connection) to the replica reached at `relayURL`: online,
    /// heard from now (draining is kept apart).
    func markAgentConnected(_ id: AgentID, connectionID: String, relayURL: String?, at now: Date) async throws
    /// The agent a sandbox is placed on and the address of the replica holding its connection, when it is online.
    func agentConnection(ofSandbox id: SandboxID) async throws -> (agentID: AgentID, relayURL: String?)?
    /// Last heartbeats of many agents in one transaction (the gateway batches them).
    func recordHeartbeats(_ heartbeats: [AgentID: Date]) async throws
    /// The agent's connection closed; ignored when a newer connection of the agent has replaced it.
    func markAgentDisconnected(_ id: AgentID, connectionID: String, at now: Date) async throws
    /// Agents not heard from since `cutoff` become offline; returns them.
    func markSilentAgentsOffline(notHeardSince cutoff: Date, at now: Date) async throws -> [AgentID]
}
