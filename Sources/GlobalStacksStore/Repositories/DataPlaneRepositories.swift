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

/// What the server's artifact cache reads without a request: one object store, with the settings and sealed secrets of
/// its provider's install in the store's tenant (the endpoint and key it is reached with).
public protocol ObjectStoreDirectory: Sendable {
    func objectStoreAccess(id: ObjectStoreID) async throws -> ObjectStoreAccess?
}

/// An object store and how to reach it: its provider install's settings and sealed secrets.
public struct ObjectStoreAccess: Sendable {
    public let store: ObjectStore
    public let settings: [String: JSONValue]
    public let sealedSecrets: String?

    public init(store: ObjectStore, settings: [String: JSONValue], sealedSecrets: String?) {
        self.store = store
        self.settings = settings
        self.sealedSecrets = sealedSecrets
    }
}
