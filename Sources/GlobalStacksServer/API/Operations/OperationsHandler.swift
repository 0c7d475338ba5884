import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import OpenAPIRuntime

/// The start gate and operation runs. Runs are tenant data: visible to members of the organization in the run's
/// tenant when it is their active tenant, and not found anywhere else.
/// Provider connections (`/v1/integrations`) live in `OperationsHandler+Integrations.swift`.
struct OperationsHandler {
    let store: any RequestStore
    let authenticator: Authenticator
    let gate: OperationGate
    let publicURL: String
    let credentialsDirectory: String?

    static let maximumTargetContextEntries = 20

    func listOperationTypes(_ input: Operations.ListOperationTypes.Input) async throws -> Operations.ListOperationTypes.Output {
        _ = try authenticator.principal()
        return .ok(.init(body: .json(.init(items: gate.catalog.all.map { APIMapping.operationType($0.definition) }))))
    }

    func startOperation(_ input: Operations.StartOperation.Input) async throws -> Operations.StartOperation.Output {
        let principal = try authenticator.principal()
        let definition = try gate.definition(input.path.operationType)
        var request = StartRequest()
        if case .json(let body)? = input.body {
            request.connectionID = try body.providerConnectionId.map(connectionID)
            request.targetContext = try targetContext(body.targetContext?.additionalProperties)
            request.sourceSurface = try body.sourceSurface.map { try Validation.name($0, field: "sourceSurface") }
        }
        let outcome = try await gate.start(definition, principal: principal, request)
        return .ok(.init(body: .json(APIMapping.startOutcome(outcome, publicURL: publicURL))))
    }

    func startOnboardingBootstrap(_ input: Operations.StartOnboardingBootstrap.Input) async throws -> Operations.StartOnboardingBootstrap.Output {
        let principal = try authenticator.principal()
        guard case .json(let body) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let (outcome, waiting) = try await gate.startBootstrap(
            body.selectedOperations, principal: principal, connectionID: try connectionID(body.providerConnectionId),
            sourceSurface: try body.sourceSurface.map { try Validation.name($0, field: "sourceSurface") }
        )
        var first = APIMapping.startOutcome(outcome, publicURL: publicURL)
        if outcome.status != .accepted, body.selectedOperations.count > 1 {
            first.operatorMessage += " None of the other selected operations was started either; start the bootstrap again."
        }
        return .ok(.init(body: .json(.init(
            value1: first,
            value2: .init(
                acceptedOperation: outcome.status == .accepted ? outcome.definition.key.rawValue : nil,
                pendingOperations: waiting.map(\.operationType.rawValue)
            )
        ))))
    }

    func listOperationRuns(_ input: Operations.ListOperationRuns.Input) async throws -> Operations.ListOperationRuns.Output {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.requireActiveTenantScope(principal)
        let runs = try await store.operationRuns(
            scope, status: input.query.status.flatMap { RunExecutionStatus(rawValue: $0.rawValue) },
            // Any name may filter (a type no longer registered still has runs), but it must be text a person could type.
            operationType: try input.query.operationType.map { OperationTypeKey(rawValue: try Validation.name($0, field: "operationType")) },
            limit: try listLimit(input.query.limit)
        )
        return .ok(.init(body: .json(.init(items: try runs.map { try APIMapping.runDetail($0, connection: nil) }))))
    }

    func getOperationRun(_ input: Operations.GetOperationRun.Input) async throws -> Operations.GetOperationRun.Output {
        let principal = try authenticator.principal()
        let run = try await visibleRun(input.path.runId, principal)
        return .ok(.init(body: .json(try await runDetail(run, principal))))
    }

    func cancelOperationRun(_ input: Operations.CancelOperationRun.Input) async throws -> Operations.CancelOperationRun.Output {
        let principal = try authenticator.principal()
        let run = try await visibleRun(input.path.runId, principal)
        try AccessPolicy.require(gate.catalog[run.operationType]?.definition.capability ?? .runProviderOperations, principal)
        let cancelled = try await store.cancelRun(id: run.id, try AccessPolicy.requireActiveTenantScope(principal), at: Date())
        gate.wake.signal()  // a waiting run on the freed scope may have been admitted
        return .ok(.init(body: .json(try await runDetail(cancelled, principal))))
    }

    // MARK: Helpers

    private func visibleRun(_ id: Int, _ principal: Principal) async throws -> OperationRun {
        guard id >= 1, let scope = AccessPolicy.activeTenantScope(principal),
              let run = try await store.operationRun(id: OperationRunID(rawValue: Int64(id)), scope) else {
            throw DomainError.notFound("No operation run \(id) in the active tenant.")
        }
        return run
    }

    /// The detail with its connection's name.
    private func runDetail(_ run: OperationRun, _ principal: Principal) async throws -> Components.Schemas.OperationRunDetail {
        var connection: ProviderConnection?
        if let connectionID = run.providerConnectionID {
            connection = try await store.providerConnection(id: connectionID, try AccessPolicy.requireActiveTenantScope(principal))
        }
        return try APIMapping.runDetail(run, connection: connection)
    }

    private func connectionID(_ value: Int) throws -> ProviderConnectionID {
        guard value >= 1 else { throw DomainError.invalidInput("providerConnectionId must be a positive integer.") }
        return ProviderConnectionID(rawValue: Int64(value))
    }

    /// The target context as flat text: strings, numbers and booleans; part of a deterministic dedupe identity.
    private func targetContext(_ container: OpenAPIObjectContainer?) throws -> [String: String] {
        guard let value = container?.value else { return [:] }
        guard value.count <= Self.maximumTargetContextEntries else {
            throw DomainError.invalidInput("targetContext may hold at most \(Self.maximumTargetContextEntries) entries.")
        }
        let context = try value.reduce(into: [String: String]()) { context, entry in
            let text: String
            switch entry.value {
            case let string as String: text = string
            case let bool as Bool: text = String(bool)
            case let int as Int: text = String(int)
            case let double as Double: text = String(double)
            default: throw DomainError.invalidInput("targetContext.\(entry.key.prefix(64)) must be a string, number or boolean.")
            }
            context[entry.key] = text
        }
        return try Validation.metadata(context, field: "targetContext")
    }
}
