import Foundation
import GlobalStacksDomain
import SQLKit

/// Placement inside the admission transaction: candidates with what they hold now, then the chosen agent's row is
/// locked and its use counted again, so two admissions on different organizations cannot both take its last slot.
extension SQLStore {
    struct PlacedAgent {
        let agentID: String
        let clusterID: ClusterID
    }

    func place(_ spec: SandboxSpec, scope: TenantScope, _ database: any SQLDatabase) async throws -> PlacedAgent {
        if let clusterID = spec.clusterID {
            guard try await database.raw("""
                SELECT k.id FROM clusters k WHERE k.id = \(bind: clusterID.rawValue) AND \(visibility(scope))
                """).first() != nil
            else { throw DomainError.notFound("No cluster \(clusterID) visible to the active tenant.") }
        }
        for _ in 0..<3 {
            let rows = try await database.raw("""
                SELECT \(unsafeRaw: Columns.agent), \(unsafeRaw: Self.usageColumns) FROM agents a
                JOIN clusters k ON k.id = a.cluster_id
                LEFT JOIN (\(unsafeRaw: Self.usageByAgent)) u ON u.agent_id = a.id
                WHERE \(visibility(scope)) AND k.status = 'active' AND a.revoked_at IS NULL
                    AND (\(bind: spec.clusterID?.rawValue) IS NULL OR a.cluster_id = \(bind: spec.clusterID?.rawValue))
                """).all()
            var clusters: [String: ClusterID] = [:]
            let candidates = try rows.map { row in
                let agent = try row.agent()
                clusters[agent.id.rawValue] = agent.clusterID
                return try Self.candidate(agent, row)
            }
            switch Placement.choose(spec.placementRequest, among: candidates) {
            case .failure(let refusal):
                throw DomainError.conflict(refusal.message)
            case .success(let chosen):
                let agentID = AgentID(rawValue: chosen.agentID)
                if try await hasRoom(on: agentID, for: spec, database) {
                    return PlacedAgent(agentID: chosen.agentID, clusterID: clusters[chosen.agentID]!)
                }
            }
        }
        throw DomainError.conflict(PlacementRefusal.noCapacity.message)
    }

    /// Waking needs room on the sandbox's own agent.
    func requireRoom(on agentID: AgentID, for spec: SandboxSpec, _ database: any SQLDatabase) async throws {
        guard try await hasRoom(on: agentID, for: spec, database) else {
            throw DomainError.conflict("The sandbox's agent has no room to wake it now (sessions, CPU or memory); stop another sandbox there or try later.")
        }
    }

    /// Locks the agent's row, then counts what it holds.
    func hasRoom(on agentID: AgentID, for spec: SandboxSpec, _ database: any SQLDatabase) async throws -> Bool {
        guard let row = try await database.raw("""
            SELECT \(unsafeRaw: Columns.agent) FROM agents a WHERE a.id = \(bind: agentID.rawValue)\(unsafeRaw: engine.rowLockClause)
            """).first()
        else { return false }
        let agent = try row.agent()
        let usage = try await database.raw("""
            SELECT \(unsafeRaw: Self.usageColumns) FROM (\(unsafeRaw: Self.usageByAgent)) u WHERE u.agent_id = \(bind: agentID.rawValue)
            """).first()
        let candidate = try Self.candidate(agent, usage)
        return agent.receivesWork && candidate.fits(cpu: spec.cpu, memory: spec.memory)
    }

    private static let usageByAgent = """
        SELECT agent_id, COUNT(*) AS sessions, SUM(cpu_millicores) AS cpu, SUM(memory_bytes) AS memory
        FROM sandboxes WHERE holds_compute = 1 GROUP BY agent_id
        """
    private static let usageColumns = """
        CAST(COALESCE(u.sessions, 0) AS BIGINT) AS u_sessions, CAST(COALESCE(u.cpu, 0) AS BIGINT) AS u_cpu,
        CAST(COALESCE(u.memory, 0) AS BIGINT) AS u_memory
        """

    /// An agent that never reported its capacity has no room.
    private static func candidate(_ agent: Agent, _ usage: (any SQLRow)?) throws -> PlacementCandidate {
        PlacementCandidate(
            agentID: agent.id.rawValue, approval: agent.approval, connectivity: agent.status, region: agent.region,
            capabilities: agent.capabilities, capacity: agent.capacity ?? AgentCapacity(maxSessions: 0, cpu: .zero, memory: .zero),
            usedSessions: Int(try usage?.decode(column: "u_sessions", as: Int64.self) ?? 0),
            usedCPU: CPUQuantity(millicores: try usage?.decode(column: "u_cpu", as: Int64.self) ?? 0),
            usedMemory: ByteQuantity(bytes: try usage?.decode(column: "u_memory", as: Int64.self) ?? 0)
        )
    }
}
