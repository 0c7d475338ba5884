import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// The v1 API's clusters: maps the contract's input to `ClusterService` and its results back.
struct ClustersHandler {
    let clusters: ClusterService

    func listClusters(_ input: Operations.ListClusters.Input, caller: Caller) async throws -> Operations.ListClusters.Output {
        .ok(.init(body: .json(.init(items: try await clusters.clusters(caller: caller).map(APIMapping.cluster)))))
    }

    func createCluster(_ input: Operations.CreateCluster.Input, caller: Caller) async throws -> Operations.CreateCluster.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let new = try NewCluster(
            ownership: ClusterOwnership(rawValue: request.ownership.rawValue)!, name: request.name, slug: request.slug,
            provider: request.provider, metadata: request.metadata?.additionalProperties
        )
        return .created(.init(body: .json(APIMapping.cluster(try await clusters.create(new, caller: caller)))))
    }

    func getCluster(_ input: Operations.GetCluster.Input, caller: Caller) async throws -> Operations.GetCluster.Output {
        .ok(.init(body: .json(APIMapping.cluster(try await clusters.cluster(try pathID(input.path.clusterId, "cluster"), caller: caller)))))
    }

    func updateCluster(_ input: Operations.UpdateCluster.Input, caller: Caller) async throws -> Operations.UpdateCluster.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let cluster = try await clusters.update(
            try pathID(input.path.clusterId, "cluster"), name: request.name,
            status: request.status.flatMap { ClusterStatus(rawValue: $0.rawValue) }, metadata: request.metadata?.additionalProperties,
            caller: caller
        )
        return .ok(.init(body: .json(APIMapping.cluster(cluster))))
    }
}
