import Foundation
import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases
import OpenAPIRuntime

/// Provider connections, outcomes and runs in the shape of the API (and of the dispatch-gate contract).
extension APIMapping {
    static func integration(_ connection: ProviderConnection) throws -> Components.Schemas.Integration {
        .init(
            id: connection.id.description, createdAt: connection.createdAt, updatedAt: connection.updatedAt,
            provider: connection.provider, kind: connection.kind, name: connection.name,
                status: .init(rawValue: connection.status.rawValue)!, externalAccountId: connection.externalAccountID,
                metadata: .init(additionalProperties: try OpenAPIObjectContainer(unvalidatedValue: connection.metadata))
        )
    }

    static func integrationDetail(_ connection: ProviderConnection) -> Components.Schemas.IntegrationDetail {
        .init(
            id: connection.id.description, provider: connection.provider, kind: connection.kind, name: connection.name,
            status: .init(rawValue: connection.status.rawValue)!, statusReason: connection.statusReason,
            externalAccountId: connection.externalAccountID, isDefault: connection.isDefault, writesPaused: connection.writesPaused,
            metadata: .init(additionalProperties: connection.metadata),
            createdAt: connection.createdAt, updatedAt: connection.updatedAt
        )
    }

    static func connectionContext(_ connection: ProviderConnection) -> Components.Schemas.ProviderConnectionContext {
        .init(id: Int(connection.id.rawValue), provider: connection.provider, label: connection.name)
    }

    static func operationType(_ definition: OperationTypeDefinition) -> Components.Schemas.OperationTypeInfo {
        .init(
            operationType: definition.key.rawValue, operatorVerb: definition.operatorVerb, operatorTarget: definition.operatorTarget,
            protectedScope: definition.protectedScope == .tenantConnection ? .tenantConnection : Components.Schemas.OperationTypeInfo.ProtectedScopePayload.none,
            dedupe: definition.dedupe == .deterministic ? .deterministic : .uniquePerRequest,
            requiresConnection: definition.requiresConnection, provider: definition.provider, maxAttempts: definition.maxAttempts
        )
    }

    static func nextStep(_ step: NextStep) -> Components.Schemas.NextStep {
        .init(label: step.label, description: step.description, href: step.href, actionType: step.actionType)
    }

    static func startOutcome(_ outcome: StartOutcome, publicURL: String) -> Components.Schemas.ProviderStartOutcome {
        let run = outcome.run
        return .init(
            status: .init(rawValue: outcome.status.rawValue)!, operationType: outcome.definition.key.rawValue,
            operatorVerb: outcome.definition.operatorVerb, operatorTarget: outcome.definition.operatorTarget,
            operatorMessage: outcome.operatorMessage, shortReason: outcome.reason?.shortReason,
            providerConnection: outcome.connection.map(connectionContext),
            run: .init(id: Int(run.id.rawValue), url: publicURL + Links.run(run.id), status: run.executionStatus.rawValue),
            nextSteps: (outcome.status == .blocked ? run.nextSteps : []).map(nextStep),
            actions: [.init(label: "View run \(run.id)", href: Links.run(run.id), kind: "view_run")]
        )
    }

    static func runDetail(_ run: OperationRun, connection: ProviderConnection?) throws -> Components.Schemas.OperationRunDetail {
        var protectedScope: [String: String] = ["tenantId": run.tenantID.rawValue]
        if let connectionID = run.providerConnectionID { protectedScope["providerConnectionId"] = connectionID.description }
        if let key = run.scopeKey { protectedScope["key"] = key }
        let legitimacy = try run.legitimacy.map { decision in
            Components.Schemas.OperationRunFacts.LegitimacyPayload(
                additionalProperties: try JSONDecoder().decode(OpenAPIObjectContainer.self, from: JSONEncoder().encode(decision))
            )
        }
        return .init(
            value1: .init(
                runId: Int(run.id.rawValue), operationType: run.operationType.rawValue, executionStatus: run.executionStatus.rawValue,
                outcome: run.outcome?.rawValue,
                providerConnection: connection.map(connectionContext) ?? run.providerConnectionID.map { .init(id: Int($0.rawValue)) },
                protectedScope: .init(additionalProperties: try OpenAPIObjectContainer(unvalidatedValue: protectedScope)),
                shortReason: run.shortReason, nextSteps: run.nextSteps.map(nextStep), diagnosticsAvailable: run.legitimacy != nil
            ),
            value2: .init(
                tenantId: run.tenantID.rawValue, authorityMode: .init(rawValue: run.authority.mode.rawValue)!,
                initiatorUserId: run.authority.userID?.rawValue, reasonCode: run.reasonCode, attempts: run.attempts,
                maxAttempts: run.maxAttempts, bootstrapId: run.bootstrapID, result: .init(additionalProperties: run.result),
                legitimacy: legitimacy, createdAt: run.createdAt, updatedAt: run.updatedAt, startedAt: run.startedAt,
                completedAt: run.completedAt, deadlineAt: run.deadlineAt
            )
        )
    }
}
