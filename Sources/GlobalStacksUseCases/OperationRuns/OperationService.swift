import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// Operation types, the start gate and operation runs of the caller's active tenant. Runs are tenant data: visible
/// to members of the organization in the run's tenant when it is their active tenant, and not found anywhere else.
/// A cancellation that frees a protected scope admits the run waiting on it in the store, whose notification wakes
/// the workers. Provider connections are in `OperationService+Connections.swift`.
public struct OperationService: Sendable {
    let store: any OperationRunRepository & ProviderConnectionRepository
    let gate: OperationGate
    /// Where tenants' credential files live (see `CredentialNamespace`).
    let credentialsDirectory: String?

    public init(store: any OperationRunRepository & ProviderConnectionRepository, gate: OperationGate, credentialsDirectory: String?) {
        self.store = store
        self.gate = gate
        self.credentialsDirectory = credentialsDirectory
    }

    /// Every operation type this server runs; any signed-in caller may read them.
    public func operationTypes(caller: Caller) -> [OperationTypeDefinition] {
        gate.all
    }

    /// Starts `key` through the gate (404 for an unknown type).
    public func start(_ key: String, _ request: StartRequest, caller: Caller) async throws -> StartOutcome {
        try await gate.start(try gate.definition(key), caller: caller, request)
    }

    /// The first selected operation through the gate; the rest wait on its scope (see `OperationGate.startBootstrap`).
    public func startBootstrap(
        _ keys: [String], connectionID: ProviderConnectionID, sourceSurface: String?, caller: Caller
    ) async throws -> (outcome: StartOutcome, waiting: [OperationRun]) {
        try await gate.startBootstrap(keys, caller: caller, connectionID: connectionID, sourceSurface: sourceSurface)
    }

    /// Runs of the active tenant, newest first.
    public func runs(status: RunExecutionStatus?, operationType: OperationTypeKey?, limit: Int, caller: Caller) async throws -> [OperationRun] {
        try await store.operationRuns(try caller.activeTenant(), status: status, operationType: operationType, limit: limit)
    }

    /// The run with its connection (for the connection's name).
    public func run(_ id: OperationRunID, caller: Caller) async throws -> (run: OperationRun, connection: ProviderConnection?) {
        try await withConnection(try await visibleRun(id, caller), caller)
    }

    /// The tenant a run belongs to, among the tenants of the caller's active organization: the console's run page
    /// shows a run in its own tenant (tenant-scoped evidence), whichever tenant the session has selected. A run of
    /// another organization is 404, the same as one that does not exist.
    public func runTenant(_ id: OperationRunID, caller: Caller) async throws -> Tenant {
        guard id.rawValue >= 1, let tenant = try await store.operationRunTenant(id: id, caller.organization) else {
            throw DomainError.notFound("No operation run \(id) in this workspace.")
        }
        return tenant
    }

    /// Cancels a waiting or queued run at once, and asks a running one to stop (409 once it finished). Needs the
    /// capability its type needs to start.
    public func cancel(_ id: OperationRunID, caller: Caller) async throws -> (run: OperationRun, connection: ProviderConnection?) {
        let run = try await visibleRun(id, caller)
        try caller.require(gate[run.operationType]?.capability ?? .runProviderOperations)
        let cancelled = try await store.cancelRun(id: run.id, try caller.activeTenant(), at: Date())
        return try await withConnection(cancelled, caller)
    }

    // MARK: Helpers

    /// A run of the active tenant; anything else (no active tenant included) is 404.
    private func visibleRun(_ id: OperationRunID, _ caller: Caller) async throws -> OperationRun {
        guard id.rawValue >= 1, let scope = AccessPolicy.activeTenantScope(caller.principal),
              let run = try await store.operationRun(id: id, scope) else {
            throw DomainError.notFound("No operation run \(id) in the active tenant.")
        }
        return run
    }

    private func withConnection(_ run: OperationRun, _ caller: Caller) async throws -> (run: OperationRun, connection: ProviderConnection?) {
        guard let connectionID = run.providerConnectionID else { return (run, nil) }
        return (run, try await store.providerConnection(id: connectionID, try caller.activeTenant()))
    }
}
