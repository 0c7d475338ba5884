import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var dataPlane: DataPlaneHandler { DataPlaneHandler(dataPlane: useCases.dataPlane) }

    func listDataPlaneInstances(_ input: Operations.ListDataPlaneInstances.Input) async throws -> Operations.ListDataPlaneInstances.Output { try await dataPlane.listDataPlaneInstances(input, caller: try caller) }
    func createDataPlaneInstance(_ input: Operations.CreateDataPlaneInstance.Input) async throws -> Operations.CreateDataPlaneInstance.Output { try await dataPlane.createDataPlaneInstance(input, caller: try caller) }
    func getDataPlaneInstance(_ input: Operations.GetDataPlaneInstance.Input) async throws -> Operations.GetDataPlaneInstance.Output { try await dataPlane.getDataPlaneInstance(input, caller: try caller) }
    func deleteDataPlaneInstance(_ input: Operations.DeleteDataPlaneInstance.Input) async throws -> Operations.DeleteDataPlaneInstance.Output { try await dataPlane.deleteDataPlaneInstance(input, caller: try caller) }
    func listObjectStores(_ input: Operations.ListObjectStores.Input) async throws -> Operations.ListObjectStores.Output { try await dataPlane.listObjectStores(input, caller: try caller) }
    func createObjectStore(_ input: Operations.CreateObjectStore.Input) async throws -> Operations.CreateObjectStore.Output { try await dataPlane.createObjectStore(input, caller: try caller) }
    func getObjectStore(_ input: Operations.GetObjectStore.Input) async throws -> Operations.GetObjectStore.Output { try await dataPlane.getObjectStore(input, caller: try caller) }
    func deleteObjectStore(_ input: Operations.DeleteObjectStore.Input) async throws -> Operations.DeleteObjectStore.Output { try await dataPlane.deleteObjectStore(input, caller: try caller) }
}
