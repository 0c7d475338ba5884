import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var clusters: ClustersHandler { ClustersHandler(clusters: useCases.clusters) }

    func listClusters(_ input: Operations.ListClusters.Input) async throws -> Operations.ListClusters.Output { try await clusters.listClusters(input, caller: try caller) }
    func createCluster(_ input: Operations.CreateCluster.Input) async throws -> Operations.CreateCluster.Output { try await clusters.createCluster(input, caller: try caller) }
    func getCluster(_ input: Operations.GetCluster.Input) async throws -> Operations.GetCluster.Output { try await clusters.getCluster(input, caller: try caller) }
    func updateCluster(_ input: Operations.UpdateCluster.Input) async throws -> Operations.UpdateCluster.Output { try await clusters.updateCluster(input, caller: try caller) }
}
