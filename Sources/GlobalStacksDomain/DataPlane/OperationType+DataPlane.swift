extension OperationTypeDefinition {
    /// Provisions a data-plane instance: asks its extension how to run the service (`provision` through the
    /// broker), has the host agent start it, and waits for its first passing health check. Target context:
    /// `extensionKey`, `provider`, `hostId`, so one create per provider and host runs at a time (dedupe).
    public static let dataPlaneInstanceProvision = OperationTypeDefinition(
        key: OperationTypeKey(rawValue: "data-plane.instance.provision"), capability: .manageDataPlane,
        operatorVerb: "Provision", operatorTarget: "data-plane instance",
        protectedScope: .none, dedupe: .deterministic, prerequisites: [], maxAttempts: 5, deadline: 15 * 60
    )

    /// Removes a data-plane instance's service and data from its host. Target context: `instanceId`.
    public static let dataPlaneInstanceDelete = OperationTypeDefinition(
        key: OperationTypeKey(rawValue: "data-plane.instance.delete"), capability: .manageDataPlane,
        operatorVerb: "Delete", operatorTarget: "data-plane instance",
        protectedScope: .none, dedupe: .deterministic, prerequisites: [], maxAttempts: 10, deadline: 60 * 60
    )

    /// Creates or verifies an object store's bucket and prefix through its extension (`provision`). Target
    /// context: `providerKey`, `bucket`, `prefix`.
    public static let objectStoreProvision = OperationTypeDefinition(
        key: OperationTypeKey(rawValue: "object-store.provision"), capability: .manageDataPlane,
        operatorVerb: "Provision", operatorTarget: "object store",
        protectedScope: .none, dedupe: .deterministic, prerequisites: [], maxAttempts: 3, deadline: 10 * 60
    )

    /// Removes what an object store put on its endpoint (its bucket only when the store created it and the delete
    /// asked for it). Target context: `objectStoreId`.
    public static let objectStoreDelete = OperationTypeDefinition(
        key: OperationTypeKey(rawValue: "object-store.delete"), capability: .manageDataPlane,
        operatorVerb: "Delete", operatorTarget: "object store",
        protectedScope: .none, dedupe: .deterministic, prerequisites: [], maxAttempts: 3, deadline: 10 * 60
    )
}
