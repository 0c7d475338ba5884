import Foundation
import GlobalStacksDomain
import SQLKit

extension Columns {
    static let provisioningToken = "pt.id AS pt_id, pt.cluster_id AS pt_cluster_id, pt.name AS pt_name, pt.token_prefix AS pt_token_prefix, pt.single_use AS pt_single_use, pt.expires_at AS pt_expires_at, pt.used_at AS pt_used_at, pt.revoked_at AS pt_revoked_at, pt.created_by AS pt_created_by, pt.created_at AS pt_created_at"
    static let agent = "a.id AS a_id, a.cluster_id AS a_cluster_id, a.name AS a_name, a.platform AS a_platform, a.region AS a_region, a.capacity AS a_capacity, a.capabilities AS a_capabilities, a.metadata AS a_metadata, a.approval AS a_approval, a.approval_changed_at AS a_approval_changed_at, a.approval_changed_by AS a_approval_changed_by, a.connectivity AS a_connectivity, a.draining_since AS a_draining_since, a.last_heartbeat_at AS a_last_heartbeat_at, a.key_prefix AS a_key_prefix, a.revoked_at AS a_revoked_at, a.created_at AS a_created_at, a.updated_at AS a_updated_at"
}

/// Stored form of `AgentCapacity`: quantities as Kubernetes text.
struct StoredCapacity: Codable {
    let maxSessions: Int
    let cpu: String
    let memory: String

    init(_ capacity: AgentCapacity) {
        maxSessions = capacity.maxSessions
        cpu = capacity.cpu.description
        memory = capacity.memory.description
    }

    func capacity() throws -> AgentCapacity {
        AgentCapacity(maxSessions: maxSessions, cpu: try CPUQuantity(parsing: cpu), memory: try ByteQuantity(parsing: memory))
    }
}

extension SQLRow {
    func provisioningToken() throws -> ProvisioningToken {
        ProvisioningToken(
            id: try identifier("pt_id"), clusterID: try identifier("pt_cluster_id"), name: try optionalString("pt_name"),
            tokenPrefix: try string("pt_token_prefix"), singleUse: try int("pt_single_use") != 0,
            expiresAt: try date("pt_expires_at"), usedAt: try optionalDate("pt_used_at"), revokedAt: try optionalDate("pt_revoked_at"),
            createdBy: try identifier("pt_created_by"), createdAt: try date("pt_created_at")
        )
    }

    func agent() throws -> Agent {
        let capacity = try optionalString("a_capacity").map { text in
            do {
                return try JSONColumn.decode(StoredCapacity.self, text, column: "agents.capacity").capacity()
            } catch {
                throw StoreError.corruptRow("agents.capacity")
            }
        }
        return Agent(
            id: try identifier("a_id"), clusterID: try identifier("a_cluster_id"), name: try string("a_name"),
            platform: try enumValue("a_platform"), region: try optionalString("a_region"), capacity: capacity,
            capabilities: Set(try JSONColumn.decode([String].self, try string("a_capabilities"), column: "agents.capabilities")),
            metadata: try JSONColumn.decode([String: String].self, try string("a_metadata"), column: "agents.metadata"),
            approval: try enumValue("a_approval"), approvalChangedAt: try optionalDate("a_approval_changed_at"),
            approvalChangedBy: try optionalIdentifier("a_approval_changed_by"), connectivity: try enumValue("a_connectivity"),
            drainingSince: try optionalDate("a_draining_since"),
            lastHeartbeatAt: try optionalDate("a_last_heartbeat_at"), keyPrefix: try string("a_key_prefix"),
            revokedAt: try optionalDate("a_revoked_at"), createdAt: try date("a_created_at"), updatedAt: try date("a_updated_at")
        )
    }
}
