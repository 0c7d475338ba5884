import Foundation
import GlobalStacksDomain

/// A tenant's data-plane instances and object stores, reachable only through its scope.
public protocol DataPlaneRepository: Sendable {
    /// Newest first, at most 1,000; deleted ones included (they are records).
    func dataPlaneInstances(_ scope: TenantScope) async throws -> [DataPlaneInstance]
    func dataPlaneInstance(id: DataPlaneInstanceID, _ scope: TenantScope) async throws -> DataPlaneInstance?
    /// The instance its provisioning run provisions (the run knows only its own id).
    func dataPlaneInstance(provisionRun: OperationRunID, _ scope: TenantScope) async throws -> DataPlaneInstance?
    func createDataPlaneInstance(_ instance: NewDataPlaneInstance, _ scope: TenantScope, at now: Date) async throws -> DataPlaneInstance
    /// Changes an instance under a row lock; a state change must be legal (`change` checks it).
    func updateDataPlaneInstance(
        id: DataPlaneInstanceID, _ scope: TenantScope, at now: Date, _ change: @Sendable (inout DataPlaneInstance) throws -> Void
    ) async throws -> DataPlaneInstance

    func objectStores(_ scope: TenantScope) async throws -> [ObjectStore]
    func objectStore(id: ObjectStoreID, _ scope: TenantScope) async throws -> ObjectStore?
    func objectStore(provisionRun: OperationRunID, _ scope: TenantScope) async throws -> ObjectStore?
    /// Refuses (409) a second live store on the same bucket and prefix.
    func createObjectStore(_ store: NewObjectStore, _ scope: TenantScope, at now: Date) async throws -> ObjectStore
    func updateObjectStore(id: ObjectStoreID, _ scope: TenantScope, at now: Date, _ change: @Sendable (inout ObjectStore) throws -> Void) async throws -> ObjectStore
}

/// What the agent gateway uses of the Data Plane: the services an agent should run, and its health reports.
public protocol DataPlaneServiceRegistry: Sendable {
    /// Instances placed on the agent that are not deleted, with their tenant (to tell the agent what to run or remove).
    func dataPlaneInstances(agentID: AgentID) async throws -> [DataPlaneInstance]
    /// The agent's report about an instance it runs: moves its state (when legal) and keeps the health. A report
    /// about an instance of another agent, or a deleted or draining one, changes nothing and returns nil.
    func recordServiceHealth(
        _ id: DataPlaneInstanceID, agentID: AgentID, state: DataPlaneInstanceState?, reason: String?, health: [String: JSONValue], at now: Date
    ) async throws -> DataPlaneInstance?
    /// The agent removed a draining instance's service and data: it is `deleted`. Nil when it was not draining there.
    func recordServiceRemoved(_ id: DataPlaneInstanceID, agentID: AgentID, at now: Date) async throws -> DataPlaneInstance?
}

/// What the object-store verifier and the artifact cache read without a request: ready stores of a purpose.
public protocol ObjectStoreDirectory: Sendable {
    func objectStore(id: ObjectStoreID) async throws -> (store: ObjectStore, organizationID: OrganizationID)?
    /// Stores to verify again: ready or degraded, verified before `cutoff`, oldest first.
    func objectStoresToVerify(verifiedBefore cutoff: Date, limit: Int) async throws -> [(store: ObjectStore, organizationID: OrganizationID)]
}
