import Foundation
import GlobalStacksDomain
import SQLKit

extension Columns {
    static let providerConnection = "p.id AS p_id, p.tenant_id AS p_tenant_id, p.provider AS p_provider, p.kind AS p_kind, p.name AS p_name, p.status AS p_status, p.status_reason AS p_status_reason, p.external_account_id AS p_external_account_id, p.credential_reference AS p_credential_reference, p.default_provider AS p_default_provider, p.writes_paused_at AS p_writes_paused_at, p.metadata AS p_metadata, p.created_at AS p_created_at, p.updated_at AS p_updated_at"
    static let operationRun = "r.id AS r_id, r.organization_id AS r_organization_id, r.tenant_id AS r_tenant_id, r.workspace_number AS r_workspace_number, r.tenant_number AS r_tenant_number, r.operation_type AS r_operation_type, r.authority_mode AS r_authority_mode, r.initiator_user_id AS r_initiator_user_id, r.initiator_number AS r_initiator_number, r.provider_connection_id AS r_provider_connection_id, r.scope_key AS r_scope_key, r.execution_status AS r_execution_status, r.outcome AS r_outcome, r.reason_code AS r_reason_code, r.short_reason AS r_short_reason, r.next_steps AS r_next_steps, r.legitimacy AS r_legitimacy, r.result AS r_result, r.target_context AS r_target_context, r.source_surface AS r_source_surface, r.bootstrap_id AS r_bootstrap_id, r.attempts AS r_attempts, r.max_attempts AS r_max_attempts, r.cancel_requested_at AS r_cancel_requested_at, r.deadline_at AS r_deadline_at, r.created_at AS r_created_at, r.updated_at AS r_updated_at, r.started_at AS r_started_at, r.completed_at AS r_completed_at"
}

/// JSON columns: written with sorted keys so equal values store equal text.
enum JSONColumn {
    static func encode<Value: Encodable>(_ value: Value) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ text: String, column: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.corruptRow(column)
        }
    }
}

extension SQLRow {
    func providerConnection() throws -> ProviderConnection {
        ProviderConnection(
            id: ProviderConnectionID(rawValue: try decode(column: "p_id", as: Int64.self)),
            tenantID: try identifier("p_tenant_id"), provider: try string("p_provider"), kind: try string("p_kind"),
            name: try string("p_name"), status: try enumValue("p_status"), statusReason: try optionalString("p_status_reason"),
            externalAccountID: try optionalString("p_external_account_id"),
            credentialReference: try string("p_credential_reference"),
            isDefault: try optionalString("p_default_provider") != nil,
            writesPaused: try optionalDate("p_writes_paused_at") != nil,
            metadata: try JSONColumn.decode([String: String].self, try string("p_metadata"), column: "provider_connections.metadata"),
            createdAt: try date("p_created_at"), updatedAt: try date("p_updated_at")
        )
    }

    func operationRun() throws -> OperationRun {
        let mode: AuthorityMode = try enumValue("r_authority_mode")
        let initiator: UserID? = try optionalIdentifier("r_initiator_user_id")
        let authority: RunAuthority
        switch (mode, initiator) {
        case (.actorBound, let user?): authority = .actor(user)
        case (.systemAuthority, nil): authority = .system
        default: throw StoreError.corruptRow("operation_runs.authority_mode = '\(mode.rawValue)' with initiator \(initiator?.rawValue ?? "none")")
        }
        return OperationRun(
            id: OperationRunID(rawValue: try decode(column: "r_id", as: Int64.self)),
            organizationID: try identifier("r_organization_id"), tenantID: try identifier("r_tenant_id"),
            operationType: OperationTypeKey(rawValue: try string("r_operation_type")), authority: authority,
            providerConnectionID: try decode(column: "r_provider_connection_id", as: Int64?.self).map(ProviderConnectionID.init(rawValue:)),
            scopeKey: try optionalString("r_scope_key"), executionStatus: try enumValue("r_execution_status"),
            outcome: try optionalString("r_outcome").map { raw in
                guard let outcome = RunOutcome(rawValue: raw) else { throw StoreError.corruptRow("operation_runs.outcome = '\(raw)'") }
                return outcome
            },
            reasonCode: try optionalString("r_reason_code"), shortReason: try optionalString("r_short_reason"),
            nextSteps: try JSONColumn.decode([NextStep].self, try string("r_next_steps"), column: "operation_runs.next_steps"),
            legitimacy: try optionalString("r_legitimacy").map { try JSONColumn.decode(LegitimacyDecision.self, $0, column: "operation_runs.legitimacy") },
            attempts: try int("r_attempts"), maxAttempts: try int("r_max_attempts"),
            cancelRequested: try optionalDate("r_cancel_requested_at") != nil,
            result: try JSONColumn.decode([String: String].self, try string("r_result"), column: "operation_runs.result"),
            targetContext: try JSONColumn.decode([String: String].self, try string("r_target_context"), column: "operation_runs.target_context"),
            sourceSurface: try optionalString("r_source_surface"), bootstrapID: try optionalString("r_bootstrap_id"),
            createdAt: try date("r_created_at"), updatedAt: try date("r_updated_at"),
            startedAt: try optionalDate("r_started_at"), completedAt: try optionalDate("r_completed_at"),
            deadlineAt: try date("r_deadline_at")
        )
    }

    /// The integer ids recorded on a run at start (`r_workspace_number`, `r_tenant_number`, `r_provider_connection_id`).
    func runTargetScope() throws -> LegitimacyDecision.TargetScope {
        LegitimacyDecision.TargetScope(
            workspaceID: try decode(column: "r_workspace_number", as: Int64.self),
            tenantID: try decode(column: "r_tenant_number", as: Int64.self),
            providerConnectionID: try decode(column: "r_provider_connection_id", as: Int64?.self)
        )
    }
}
