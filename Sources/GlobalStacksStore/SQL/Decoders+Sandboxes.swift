import Foundation
import GlobalStacksDomain
import SQLKit

extension Columns {
    static let sandbox = "s.id AS s_id, s.tenant_id AS s_tenant_id, s.organization_id AS s_organization_id, s.created_by AS s_created_by, s.agent_id AS s_agent_id, s.cluster_id AS s_cluster_id, s.name AS s_name, s.template AS s_template, s.command AS s_command, s.cpu_millicores AS s_cpu_millicores, s.memory_bytes AS s_memory_bytes, s.storage_bytes AS s_storage_bytes, s.environment AS s_environment, s.labels AS s_labels, s.network AS s_network, s.idle_timeout_seconds AS s_idle_timeout_seconds, s.idle_action AS s_idle_action, s.region AS s_region, s.requested_cluster_id AS s_requested_cluster_id, s.required_capabilities AS s_required_capabilities, s.state AS s_state, s.state_changed_at AS s_state_changed_at, s.last_error AS s_last_error, s.exit_status AS s_exit_status, s.last_activity_at AS s_last_activity_at, s.created_at AS s_created_at, s.updated_at AS s_updated_at, s.lifetime_seconds AS s_lifetime_seconds, s.expires_at AS s_expires_at, s.public_ports AS s_public_ports, s.template_id AS s_template_id"
    static let command = "c.id AS c_id, c.agent_id AS c_agent_id, c.sandbox_id AS c_sandbox_id, c.action AS c_action, c.status AS c_status, c.error_message AS c_error_message, c.deliveries AS c_deliveries, c.deadline_at AS c_deadline_at, c.created_at AS c_created_at, c.sent_at AS c_sent_at, c.acknowledged_at AS c_acknowledged_at, c.completed_at AS c_completed_at"
    static let group = "g.id AS g_id, g.organization_id AS g_organization_id, g.parent_id AS g_parent_id, g.name AS g_name, g.display_name AS g_display_name, g.description AS g_description, g.kind AS g_kind, g.created_at AS g_created_at, g.updated_at AS g_updated_at"
}

extension SQLRow {
    func sandbox() throws -> Sandbox {
        let spec = SandboxSpec(
            stored: try optionalString("s_name"), template: try optionalString("s_template"),
            command: try JSONColumn.decode([String].self, try string("s_command"), column: "sandboxes.command"),
            cpu: CPUQuantity(millicores: try decode(column: "s_cpu_millicores", as: Int64.self)),
            memory: ByteQuantity(bytes: try decode(column: "s_memory_bytes", as: Int64.self)),
            storage: ByteQuantity(bytes: try decode(column: "s_storage_bytes", as: Int64.self)),
            environment: try JSONColumn.decode([String: String].self, try string("s_environment"), column: "sandboxes.environment"),
            labels: try JSONColumn.decode([String: String].self, try string("s_labels"), column: "sandboxes.labels"),
            network: try int("s_network") != 0, idleTimeoutSeconds: try decode(column: "s_idle_timeout_seconds", as: Int?.self),
            idleAction: try enumValue("s_idle_action", as: IdleAction.self), region: try optionalString("s_region"),
            clusterID: try optionalIdentifier("s_requested_cluster_id"),
            requiredCapabilities: Set(try JSONColumn.decode([String].self, try string("s_required_capabilities"), column: "sandboxes.required_capabilities")),
            lifetimeSeconds: try decode(column: "s_lifetime_seconds", as: Int?.self), publicPorts: try int("s_public_ports") != 0
        )
        return Sandbox(
            id: try identifier("s_id"), tenantID: try identifier("s_tenant_id"), organizationID: try identifier("s_organization_id"),
            createdBy: try identifier("s_created_by"), spec: spec, agentID: try identifier("s_agent_id"), clusterID: try identifier("s_cluster_id"),
            state: try enumValue("s_state"), stateChangedAt: try date("s_state_changed_at"), lastError: try optionalString("s_last_error"),
            exitStatus: try decode(column: "s_exit_status", as: Int?.self), lastActivityAt: try date("s_last_activity_at"),
            createdAt: try date("s_created_at"), updatedAt: try date("s_updated_at"), expiresAt: try optionalDate("s_expires_at"),
            templateID: try optionalIdentifier("s_template_id")
        )
    }

    func agentCommand() throws -> AgentCommand {
        AgentCommand(
            id: try identifier("c_id"), agentID: try identifier("c_agent_id"), sandboxID: try identifier("c_sandbox_id"),
            action: try enumValue("c_action"), status: try enumValue("c_status"), errorMessage: try optionalString("c_error_message"),
            deliveries: try int("c_deliveries"), deadlineAt: try date("c_deadline_at"), createdAt: try date("c_created_at"),
            sentAt: try optionalDate("c_sent_at"), acknowledgedAt: try optionalDate("c_acknowledged_at"), completedAt: try optionalDate("c_completed_at")
        )
    }

    func group() throws -> Group {
        Group(
            id: try identifier("g_id"), organizationID: try identifier("g_organization_id"), parentID: try optionalIdentifier("g_parent_id"),
            name: try slug("g_name"), displayName: try string("g_display_name"), description: try optionalString("g_description"),
            kind: try enumValue("g_kind"), createdAt: try date("g_created_at"), updatedAt: try date("g_updated_at")
        )
    }
}
