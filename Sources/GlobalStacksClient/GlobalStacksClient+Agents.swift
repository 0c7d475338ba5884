import GlobalStacksContract
import OpenAPIRuntime
extension GlobalStacksClient {
    public typealias Agent = Components.Schemas.AgentDetail

    /// What a host tells the control plane when it enrolls.
    public struct AgentEnrollment: Sendable {
        public var name: String
        /// `process`, `docker`, `vm`, `cloud` or `kubernetes`.
        public var platform: String
        public var region: String?
        /// Sandboxes, CPU (`4`, `500m`) and memory (`8Gi`) it offers.
        public var capacity: (maxSessions: Int, cpu: String, memory: String)?
        public var capabilities: [String]

        public init(
            name: String, platform: String, region: String? = nil, capacity: (maxSessions: Int, cpu: String, memory: String)? = nil,
            capabilities: [String] = []
        ) {
            self.name = name
            self.platform = platform
            self.region = region
            self.capacity = capacity
            self.capabilities = capabilities
        }
    }

    /// Enrolls a host with the provisioning token this client carries (`.bearer("gsp_…")`); returns the new agent and
    /// its own key, which the server shows only in this answer.
    public func registerAgent(_ enrollment: AgentEnrollment) async throws -> (agentID: String, key: String) {
        guard let platform = Components.Schemas.AgentRegistrationRequest.PlatformPayload(rawValue: enrollment.platform) else {
            throw GlobalStacksClientError(status: 400, message: "Unknown platform '\(enrollment.platform)'.")
        }
        let registered = try await call {
            try await client.registerAgent(body: .json(.init(
                agentId: enrollment.name, platform: platform, region: enrollment.region,
                capacity: enrollment.capacity.map { .init(maxSessions: $0.maxSessions, cpu: $0.cpu, memory: $0.memory) },
                capabilities: enrollment.capabilities
            ))).created.body.json
        }
        return (registered.agent.id, registered.apiKey)
    }

    /// Replaces the key this client carries (`.bearer("gsa_…")`) with `newKey` (nil: the server generates one);
    /// returns the key now in force. Repeating a rotation whose answer was lost succeeds.
    public func rotateAgentKey(to newKey: String?) async throws -> String {
        try await call {
            try await client.rotateAgentKey(body: .json(.init(newKey: newKey))).ok.body.json.apiKey
        }
    }

    public func agents() async throws -> [Agent] {
        try await call { try await client.listAgents().ok.body.json.items }
    }

    public func approveAgent(_ id: String) async throws -> Agent {
        try await call { try await client.approveAgent(path: .init(agentId: id)).ok.body.json }
    }

    /// A provisioning token for `cluster`; its secret is in this answer only.
    public func createProvisioningToken(cluster: String) async throws -> String {
        try await call {
            try await client.createProvisioningToken(path: .init(clusterId: cluster), body: .json(.init())).created.body.json.token
        }
    }
}
