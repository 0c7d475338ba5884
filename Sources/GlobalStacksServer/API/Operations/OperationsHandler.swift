import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases
import OpenAPIRuntime

/// The v1 API's operation types, the start gate and operation runs: maps the contract's input to `OperationService`
/// and its results back. Provider connections (`/v1/integrations`) are in `OperationsHandler+Integrations.swift`.
struct OperationsHandler {
    let operations: OperationService
    let publicURL: String

    static let maximumTargetContextEntries = 20

    func listOperationTypes(_ input: Operations.ListOperationTypes.Input, caller: Caller) async throws -> Operations.ListOperationTypes.Output {
        .ok(.init(body: .json(.init(items: operations.operationTypes(caller: caller).map(APIMapping.operationType)))))
    }

    func startOperation(_ input: Operations.StartOperation.Input, caller: Caller) async throws -> Operations.StartOperation.Output {
        var request = StartRequest()
        if case .json(let body)? = input.body {
            request.connectionID = try body.providerConnectionId.map(connectionID)
            request.targetContext = try targetContext(body.targetContext?.additionalProperties)
            request.sourceSurface = try body.sourceSurface.map { try Validation.name($0, field: "sourceSurface") }
        }
        let outcome = try await operations.start(input.path.operationType, request, caller: caller)
        return .ok(.init(body: .json(APIMapping.startOutcome(outcome, publicURL: publicURL))))
    }

    func startOnboardingBootstrap(_ input: Operations.StartOnboardingBootstrap.Input, caller: Caller) async throws -> Operations.StartOnboardingBootstrap.Output {
        guard case .json(let body) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let (outcome, waiting) = try await operations.startBootstrap(
            body.selectedOperations, connectionID: try connectionID(body.providerConnectionId),
            sourceSurface: try body.sourceSurface.map { try Validation.name($0, field: "sourceSurface") }, caller: caller
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

    func listOperationRuns(_ input: Operations.ListOperationRuns.Input, caller: Caller) async throws -> Operations.ListOperationRuns.Output {
        let runs = try await operations.runs(
            status: input.query.status.flatMap { RunExecutionStatus(rawValue: $0.rawValue) },
            // Any name may filter (a type no longer registered still has runs), but it must be text a person could type.
            operationType: try input.query.operationType.map { OperationTypeKey(rawValue: try Validation.name($0, field: "operationType")) },
            limit: try listLimit(input.query.limit), caller: caller
        )
        return .ok(.init(body: .json(.init(items: try runs.map { try APIMapping.runDetail($0, connection: nil) }))))
    }

    func getOperationRun(_ input: Operations.GetOperationRun.Input, caller: Caller) async throws -> Operations.GetOperationRun.Output {
        let (run, connection) = try await operations.run(OperationRunID(rawValue: Int64(input.path.runId)), caller: caller)
        return .ok(.init(body: .json(try APIMapping.runDetail(run, connection: connection))))
    }

    func cancelOperationRun(_ input: Operations.CancelOperationRun.Input, caller: Caller) async throws -> Operations.CancelOperationRun.Output {
        let (run, connection) = try await operations.cancel(OperationRunID(rawValue: Int64(input.path.runId)), caller: caller)
        return .ok(.init(body: .json(try APIMapping.runDetail(run, connection: connection))))
    }

    // MARK: Helpers

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
