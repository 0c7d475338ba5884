import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// What a caller asks the start gate for.
public struct StartRequest: Sendable {
    public var connectionID: ProviderConnectionID?
    public var targetContext: [String: String] = [:]
    public var sourceSurface: String?

    public init(connectionID: ProviderConnectionID? = nil, targetContext: [String: String] = [:], sourceSurface: String? = nil) {
        self.connectionID = connectionID
        self.targetContext = targetContext
        self.sourceSurface = sourceSurface
    }
}

/// Counts the gate's outcomes (`gstacks_operation_starts_total{type, status}` on /metrics): the server provides it,
/// so the use cases know no metrics library.
public protocol StartOutcomeCounter: Sendable {
    func count(_ outcome: StartOutcome)
}

/// The one entry point for starting provider-backed work. Order: visibility (404) → capability (403) →
/// blocked (prerequisites, recorded as a terminal run) → deduped → scope_busy → accepted; the last three are
/// decided by the database's unique indexes, so concurrent starts cannot slip past each other. An accepted run
/// wakes the workers through the store's notification, sent when the admission commits.
public struct OperationGate: Sendable {
    private let store: any OperationRunRepository & ProviderConnectionRepository
    /// The operation types this server runs (the server's catalog, whose executors stay with the server).
    private let definitions: [OperationTypeKey: OperationTypeDefinition]
    private let counter: any StartOutcomeCounter

    public init(
        store: any OperationRunRepository & ProviderConnectionRepository, definitions: [OperationTypeDefinition], counter: any StartOutcomeCounter
    ) {
        self.store = store
        self.definitions = Dictionary(uniqueKeysWithValues: definitions.map { ($0.key, $0) })
        self.counter = counter
    }

    static let maximumBootstrapOperations = 10

    /// The registered operation types, ordered by key.
    public var all: [OperationTypeDefinition] { definitions.values.sorted { $0.key.rawValue < $1.key.rawValue } }

    public subscript(key: OperationTypeKey) -> OperationTypeDefinition? { definitions[key] }

    public func definition(_ key: String) throws -> OperationTypeDefinition {
        guard let definition = definitions[OperationTypeKey(rawValue: key)] else {
            throw DomainError.notFound("No operation type '\(key.prefix(100))'; GET /v1/operation-types lists them.")
        }
        return definition
    }

    public func start(_ definition: OperationTypeDefinition, caller: Caller, _ request: StartRequest) async throws -> StartOutcome {
        let principal = caller.principal
        let scope = try caller.activeTenant()
        let connection = try await chooseConnection(for: [definition], id: request.connectionID, scope)
        try caller.require(definition.capability)
        let run = newRun(definition, scope, principal, connection, request)
        if let denial = LegitimacyEvaluator.denial(facts(definition, principal, scope, connection)) {
            return try await block(run, denial, connection)
        }
        return try await outcome(of: try await store.admitRun(run, at: Date()), definition, connection)
    }

    /// Several operations on one connection: the first goes through the gate, the rest wait on its protected scope
    /// and are admitted one at a time as each run before them finishes.
    public func startBootstrap(_ keys: [String], caller: Caller, connectionID: ProviderConnectionID, sourceSurface: String?) async throws -> (outcome: StartOutcome, waiting: [OperationRun]) {
        let principal = caller.principal
        guard (1...Self.maximumBootstrapOperations).contains(keys.count), Set(keys).count == keys.count else {
            throw DomainError.invalidInput("selectedOperations must name 1 to \(Self.maximumBootstrapOperations) different operation types.")
        }
        let definitions = try keys.map { key in
            guard let definition = self[OperationTypeKey(rawValue: key)] else {
                throw DomainError.invalidInput("Unknown operation type '\(key.prefix(100))' in selectedOperations; GET /v1/operation-types lists them.")
            }
            guard definition.protectedScope == .tenantConnection else {
                throw DomainError.invalidInput("'\(key)' does not run on a provider connection and cannot be part of a bootstrap.")
            }
            return definition
        }
        let scope = try caller.activeTenant()
        let connection = try await chooseConnection(for: definitions, id: connectionID, scope)
        for definition in definitions {
            try caller.require(definition.capability)
        }
        let request = StartRequest(connectionID: connectionID, sourceSurface: sourceSurface ?? "onboarding.bootstrap")
        let runs = definitions.map { newRun($0, scope, principal, connection, request) }
        // Only the first is judged now: the ones waiting behind it often depend on it (a verify that repairs the
        // connection before a sync), and each is judged from the state of its own turn before it executes.
        if let denial = LegitimacyEvaluator.denial(facts(definitions[0], principal, scope, connection)) {
            return (try await block(runs[0], denial, connection), [])
        }
        let (admission, waiting) = try await store.admitBootstrap(first: runs[0], waiting: Array(runs.dropFirst()), at: Date())
        return (try await outcome(of: admission, definitions[0], connection), waiting)
    }

    // MARK: Steps

    /// The connection named in the request (404 when the active tenant has no such connection), else the tenant's
    /// default for the type's provider. None found is not an error here: the prerequisites check blocks the start.
    private func chooseConnection(for definitions: [OperationTypeDefinition], id: ProviderConnectionID?, _ scope: TenantScope) async throws -> ProviderConnection? {
        guard definitions.contains(where: \.requiresConnection) else {
            if id != nil {
                throw DomainError.invalidInput("\(definitions[0].key) does not use a provider connection; leave providerConnectionId out.")
            }
            return nil
        }
        if let id {
            guard let connection = try await store.providerConnection(id: id, scope), connection.status != .deleted else {
                throw DomainError.notFound("No provider connection \(id) in the active tenant.")
            }
            return connection
        }
        let provider = definitions.compactMap(\.provider).first
        let defaults = try await store.providerConnections(scope).filter { $0.isDefault && (provider == nil || $0.provider == provider) }
        guard defaults.count <= 1 else {
            throw DomainError.invalidInput("The tenant has default connections for several providers (\(defaults.map(\.provider).joined(separator: ", "))); name one with providerConnectionId.")
        }
        return defaults.first
    }

    /// The state the start is judged on: the caller as authenticated just now.
    private func facts(_ definition: OperationTypeDefinition, _ principal: Principal, _ scope: TenantScope, _ connection: ProviderConnection?) -> LegitimacyFacts {
        LegitimacyFacts(
            definition: definition, authorityMode: .actorBound, organizationID: scope.organizationID, tenantID: scope.tenantID,
            workspaceExists: true,
            tenant: principal.tenant.map { .init(belongsToWorkspace: $0.organizationID == scope.organizationID, status: $0.status) },
            initiator: .init(isActive: principal.user.deactivatedAt == nil, siteRole: principal.user.siteRole, organizationRole: principal.organization.role),
            connection: connection
        )
    }

    private func newRun(_ definition: OperationTypeDefinition, _ scope: TenantScope, _ principal: Principal, _ connection: ProviderConnection?, _ request: StartRequest) -> NewOperationRun {
        let identity = OperationRun.identity(
            definition, tenantID: scope.tenantID, connectionID: connection?.id,
            targetContext: request.targetContext, nonce: UUID().uuidString
        )
        return NewOperationRun(
            definition: definition, scope: scope, authority: .actor(principal.user.id), providerConnectionID: connection?.id,
            identityHash: SecretHasher.hash(identity), targetContext: request.targetContext, sourceSurface: request.sourceSurface
        )
    }

    private func block(_ run: NewOperationRun, _ denial: LegitimacyEvaluator.Denial, _ connection: ProviderConnection?) async throws -> StartOutcome {
        let reason = RunReason.legitimacy(denial.reason, detail: denial.detail)
        let recorded = try await store.recordBlockedRun(
            run, reason: reason, decision: nil, nextSteps: reason.nextSteps(connectionHref: connection.map(Links.connection)), at: Date()
        )
        return counted(StartOutcome(status: .blocked, definition: run.definition, run: recorded, connection: connection, reason: reason))
    }

    private func outcome(of admission: RunAdmission, _ definition: OperationTypeDefinition, _ connection: ProviderConnection?) async throws -> StartOutcome {
        switch admission {
        case .accepted(let run):
            return counted(StartOutcome(status: .accepted, definition: definition, run: run, connection: connection, reason: nil))
        case .deduped(let run):
            return counted(StartOutcome(status: .deduped, definition: definition, run: run, connection: connection, reason: nil))
        case .scopeBusy(let run):
            return counted(StartOutcome(status: .scopeBusy, definition: definition, run: run, connection: connection, reason: nil))
        }
    }

    private func counted(_ outcome: StartOutcome) -> StartOutcome {
        counter.count(outcome)
        return outcome
    }
}

/// Paths of the resources runs and outcomes link to.
public enum Links {
    public static func run(_ id: OperationRunID) -> String { "/v1/operation-runs/\(id)" }
    public static func connection(_ connection: ProviderConnection) -> String { "/v1/integrations/\(connection.id)" }
    public static func connection(_ id: ProviderConnectionID) -> String { "/v1/integrations/\(id)" }
}
