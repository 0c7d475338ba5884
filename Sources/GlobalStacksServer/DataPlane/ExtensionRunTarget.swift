import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

/// Where a Data Plane run has its extension's operation run: a cluster of the tenant with an agent connected here
/// that runs extensions (the host's own cluster for an instance; any such cluster for an object store).
enum ExtensionRunTarget {
    static func cluster(for scope: TenantScope, store: any AgentRepository, connected: Set<AgentID>, preferring host: AgentID? = nil) async throws -> ClusterID {
        let agents = try await store.agents(visibleTo: .tenant(scope), clusterID: nil)
        if let host, let agent = agents.first(where: { $0.id == host }) { return agent.clusterID }
        let able = agents.filter { $0.receivesWork && $0.capabilities.contains(BrokerInvocation.runtimeCapability) }
        guard let agent = able.first(where: { connected.contains($0.id) }) ?? able.first else {
            throw ExecutionError.transient("No agent of the tenant's clusters runs extensions (\(BrokerInvocation.runtimeCapability)) now; an operator must connect one.")
        }
        return agent.clusterID
    }

    /// The invocation of `operation` of the extension on `cluster`.
    static func invocation(_ key: ExtensionKey, _ operation: String, cluster: ClusterID, input: [String: JSONValue]) -> ExtensionInvocation {
        ExtensionInvocation(key: key, operation: operation, targetKind: "cluster", targetID: cluster.rawValue, input: input)
    }
}
