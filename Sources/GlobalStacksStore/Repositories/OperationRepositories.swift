import Foundation
import GlobalStacksDomain

/// A provider account being connected to a tenant.
public struct NewProviderConnection: Sendable {
    public let provider: String
    public let kind: String
    public let name: String
    public let externalAccountID: String?
    public let credentialReference: String
    public let isDefault: Bool
    public let metadata: [String: String]

    public init(provider: String, kind: String, name: String, externalAccountID: String?, credentialReference: String, isDefault: Bool, metadata: [String: String]) {
        self.provider = provider
        self.kind = kind
        self.name = name
        self.externalAccountID = externalAccountID
        self.credentialReference = credentialReference
        self.isDefault = isDefault
        self.metadata = metadata
    }
}

/// Provider connections of a tenant and what operations copied from them.
public protocol ProviderConnectionRepository: Sendable {
    /// The tenant's connections that are not deleted.
    func providerConnections(_ scope: TenantScope) async throws -> [ProviderConnection]
    func providerConnection(id: ProviderConnectionID, _ scope: TenantScope) async throws -> ProviderConnection?
    /// A default connection replaces the provider's previous default.
    func createProviderConnection(_ connection: NewProviderConnection, _ scope: TenantScope, at now: Date) async throws -> ProviderConnection
    func updateProviderConnection(id: ProviderConnectionID, _ scope: TenantScope, at now: Date, _ change: @Sendable (inout ProviderConnection) throws -> Void) async throws -> ProviderConnection
    /// Marks the connection deleted (runs keep referring to it) and releases its default role.
    func deleteProviderConnection(id: ProviderConnectionID, _ scope: TenantScope, at now: Date) async throws
    /// Makes the connection's directory groups exactly `groups`; returns how many were added, updated and removed.
    func replaceDirectoryGroups(connectionID: ProviderConnectionID, _ scope: TenantScope, groups: [DirectoryGroup], at now: Date) async throws -> (added: Int, updated: Int, removed: Int)
    func directoryGroups(connectionID: ProviderConnectionID, _ scope: TenantScope) async throws -> [DirectoryGroup]
}

/// A run about to be recorded by the start gate.
public struct NewOperationRun: Sendable {
    public let definition: OperationTypeDefinition
    public let scope: TenantScope
    public let authority: RunAuthority
    public let providerConnectionID: ProviderConnectionID?
    /// SHA-256 of `OperationRun.identity(…)`.
    public let identityHash: String
    public let targetContext: [String: String]
    public let sourceSurface: String?

    public init(definition: OperationTypeDefinition, scope: TenantScope, authority: RunAuthority, providerConnectionID: ProviderConnectionID?, identityHash: String, targetContext: [String: String], sourceSurface: String?) {
        self.definition = definition
        self.scope = scope
        self.authority = authority
        self.providerConnectionID = providerConnectionID
        self.identityHash = identityHash
        self.targetContext = targetContext
        self.sourceSurface = sourceSurface
    }

    public var scopeKey: String? {
        OperationRun.scopeKey(definition, tenantID: scope.tenantID, connectionID: providerConnectionID)
    }
}

/// What the database decided about a start that passed the gate's checks.
public enum RunAdmission: Sendable, Equatable {
    case accepted(OperationRun)
    /// The same operation is already queued or running: that run.
    case deduped(OperationRun)
    /// A different operation holds the protected scope: that run.
    case scopeBusy(OperationRun)
}

/// A run a worker holds the lease of, judged on the current state read in the claim's transaction.
public struct ClaimedRun: Sendable {
    public let run: OperationRun
    public let facts: LegitimacyFacts
    /// The legitimacy decision for this attempt (stored on the run when it started), with the scope it allows.
    public let verdict: LegitimacyVerdict
    /// The tenant's external id (its credential namespace); nil when the tenant no longer exists.
    public let tenantExternalID: String?
    /// Whether the claim also started the run (allowed, not cancelled, attempts left): the worker executes it.
    /// Otherwise the worker ends it (blocked, cancelled or failed).
    public let started: Bool

    public var decision: LegitimacyDecision { verdict.decision }
}

/// Operation runs of a tenant: admission (dedupe and scope exclusivity enforced by unique indexes), reading and
/// cancelling. Each write that changes a run is one transaction.
public protocol OperationRunRepository: Sendable {
    /// Inserts a queued run, or reports the active run it dedupes against or that holds its scope.
    func admitRun(_ run: NewOperationRun, at now: Date) async throws -> RunAdmission
    /// Admits `first` like `admitRun`; only when it is accepted are `waiting` recorded, each admitted when the one before finishes.
    func admitBootstrap(first: NewOperationRun, waiting: [NewOperationRun], at now: Date) async throws -> (admission: RunAdmission, waiting: [OperationRun])
    /// Records a start refused by the gate as a terminal `blocked` run carrying its reason.
    func recordBlockedRun(_ run: NewOperationRun, reason: RunReason, decision: LegitimacyDecision?, nextSteps: [NextStep], at now: Date) async throws -> OperationRun

    func operationRun(id: OperationRunID, _ scope: TenantScope) async throws -> OperationRun?
    func operationRuns(_ scope: TenantScope, status: RunExecutionStatus?, operationType: OperationTypeKey?, limit: Int) async throws -> [OperationRun]
    /// The tenant of a run of any tenant in the scope's organization (nil for a run anywhere else): the console's run
    /// page finds the tenant it shows the run in, then reads the run through that tenant's scope.
    func operationRunTenant(id: OperationRunID, _ scope: OrganizationScope) async throws -> Tenant?
    /// Cancels a waiting or queued run at once; a running run is asked to stop and ends `cancelled` when its worker notices.
    func cancelRun(id: OperationRunID, _ scope: TenantScope, at now: Date) async throws -> OperationRun
}

/// The worker queue: claims with leases, their end, and the reaper. Held by the operation workers only.
public protocol RunQueue: Sendable {
    /// Takes the lease of the next claimable run (queued, or active with an expired lease), counts an attempt,
    /// evaluates its legitimacy from the current state and, when allowed, starts it, all in one transaction.
    /// Only runs of the types in `definitions` are claimed (a replica claims only what it can execute).
    func claimRun(worker: String, leaseDuration: TimeInterval, definitions: [OperationTypeKey: OperationTypeDefinition], at now: Date) async throws -> ClaimedRun?
    /// Extends the lease; nil when the worker lost it, otherwise whether cancellation was requested.
    func renewLease(id: OperationRunID, worker: String, leaseDuration: TimeInterval, at now: Date) async throws -> Bool?
    /// Ends a run the worker holds (outcome, reason and result); admits the next waiting run on its scope.
    func finishRun(id: OperationRunID, worker: String, outcome: RunOutcome, reason: RunReason?, nextSteps: [NextStep], decision: LegitimacyDecision?, result: [String: String], at now: Date) async throws -> Bool
    /// Puts the run back in the queue for another attempt at `availableAt`; false when the lease was lost or
    /// cancellation was requested meanwhile.
    func retryRun(id: OperationRunID, worker: String, availableAt: Date, error: String, at now: Date) async throws -> Bool
    /// Gives a run back without counting the attempt (the worker is shutting down); it is claimable at once.
    func releaseRun(id: OperationRunID, worker: String, at now: Date) async throws -> Bool
    /// Fails every queued or running run past its deadline whose lease is not live; returns their ids.
    func failOverdueRuns(at now: Date) async throws -> [OperationRunID]
    /// Admits the first waiting run of every free scope (a safety net behind `finishRun`); returns how many.
    func admitWaitingRuns(at now: Date) async throws -> Int
    /// Deletes completed runs that finished before `cutoff`, at most `limit`; returns how many.
    func pruneRuns(completedBefore cutoff: Date, limit: Int) async throws -> Int
}
