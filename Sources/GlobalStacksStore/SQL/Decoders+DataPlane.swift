import Foundation
import GlobalStacksDomain
import SQLKit

extension Columns {
    static let dataPlaneInstance = "d.id AS d_id, d.tenant_id AS d_tenant_id, d.provider AS d_provider, d.extension_key AS d_extension_key, d.install_id AS d_install_id, d.agent_id AS d_agent_id, d.state AS d_state, d.state_reason AS d_state_reason, d.endpoint AS d_endpoint, d.settings AS d_settings, d.effective_settings AS d_effective_settings, d.health AS d_health, d.metadata AS d_metadata, d.service AS d_service, d.provision_run_id AS d_provision_run_id, d.created_by AS d_created_by, d.created_at AS d_created_at, d.updated_at AS d_updated_at"
    static let objectStore = "o.id AS o_id, o.tenant_id AS o_tenant_id, o.provider_key AS o_provider_key, o.hosted_mode AS o_hosted_mode, o.purpose AS o_purpose, o.endpoint AS o_endpoint, o.bucket AS o_bucket, o.prefix AS o_prefix, o.credential_ref AS o_credential_ref, o.data_plane_instance_id AS o_data_plane_instance_id, o.status AS o_status, o.status_reason AS o_status_reason, o.metadata AS o_metadata, o.created_bucket AS o_created_bucket, o.provision_run_id AS o_provision_run_id, o.verified_at AS o_verified_at, o.created_by AS o_created_by, o.created_at AS o_created_at, o.updated_at AS o_updated_at"
}

extension SQLRow {
    func dataPlaneInstance() throws -> DataPlaneInstance {
        let keyText = try string("d_extension_key")
        guard let key = ExtensionKey(rawValue: keyText) else { throw StoreError.corruptRow("data_plane_instances.extension_key '\(keyText)'") }
        return DataPlaneInstance(
            id: try identifier("d_id"), tenantID: try identifier("d_tenant_id"), provider: try string("d_provider"), extensionKey: key,
            installID: try optionalIdentifier("d_install_id"), agentID: try identifier("d_agent_id"), state: try enumValue("d_state"),
            stateReason: try optionalString("d_state_reason"), endpoint: try optionalString("d_endpoint"),
            settings: try JSONColumn.decode([String: JSONValue].self, try string("d_settings"), column: "data_plane_instances.settings"),
            effectiveSettings: try JSONColumn.decode([String: JSONValue].self, try string("d_effective_settings"), column: "data_plane_instances.effective_settings"),
            health: try JSONColumn.decode([String: JSONValue].self, try string("d_health"), column: "data_plane_instances.health"),
            metadata: try JSONColumn.decode([String: JSONValue].self, try string("d_metadata"), column: "data_plane_instances.metadata"),
            service: try optionalString("d_service").map { try JSONColumn.decode(ServiceDefinition.self, $0, column: "data_plane_instances.service") },
            provisionRunID: try decode(column: "d_provision_run_id", as: Int64?.self).map(OperationRunID.init(rawValue:)),
            createdBy: try optionalIdentifier("d_created_by"), createdAt: try date("d_created_at"), updatedAt: try date("d_updated_at")
        )
    }

    func objectStore() throws -> ObjectStore {
        let keyText = try string("o_provider_key")
        guard let key = ExtensionKey(rawValue: keyText) else { throw StoreError.corruptRow("object_stores.provider_key '\(keyText)'") }
        let prefix = try string("o_prefix")
        return ObjectStore(
            id: try identifier("o_id"), tenantID: try identifier("o_tenant_id"), providerKey: key, hostedMode: try enumValue("o_hosted_mode"),
            purpose: try enumValue("o_purpose"), endpoint: try optionalString("o_endpoint"), bucket: try string("o_bucket"),
            prefix: prefix.isEmpty ? nil : prefix, credentialRef: try optionalString("o_credential_ref"),
            dataPlaneInstanceID: try optionalIdentifier("o_data_plane_instance_id"), status: try enumValue("o_status"),
            statusReason: try optionalString("o_status_reason"),
            metadata: try JSONColumn.decode([String: JSONValue].self, try string("o_metadata"), column: "object_stores.metadata"),
            createdBucket: try int("o_created_bucket") != 0,
            provisionRunID: try decode(column: "o_provision_run_id", as: Int64?.self).map(OperationRunID.init(rawValue:)),
            verifiedAt: try optionalDate("o_verified_at"), createdBy: try optionalIdentifier("o_created_by"), createdAt: try date("o_created_at"),
            updatedAt: try date("o_updated_at")
        )
    }
}
