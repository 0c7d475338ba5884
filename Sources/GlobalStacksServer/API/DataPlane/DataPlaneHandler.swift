import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// The v1 API's Data Plane: maps the contract's input to `DataPlaneService` and its results back.
struct DataPlaneHandler {
    let dataPlane: DataPlaneService

    func listDataPlaneInstances(_ input: Operations.ListDataPlaneInstances.Input, caller: Caller) async throws -> Operations.ListDataPlaneInstances.Output {
        .ok(.init(body: .json(.init(items: try await dataPlane.instances(caller: caller).map(APIMapping.dataPlaneInstance)))))
    }

    func createDataPlaneInstance(_ input: Operations.CreateDataPlaneInstance.Input, caller: Caller) async throws -> Operations.CreateDataPlaneInstance.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let instance = try await dataPlane.createInstance(DataPlaneInstanceRequest(
            provider: request.provider, extensionKey: request.extensionKey, hostID: request.hostId,
            settings: try APIMapping.jsonObject(request.settings?.additionalProperties)
        ), caller: caller)
        return .created(.init(body: .json(try APIMapping.dataPlaneInstance(instance))))
    }

    func getDataPlaneInstance(_ input: Operations.GetDataPlaneInstance.Input, caller: Caller) async throws -> Operations.GetDataPlaneInstance.Output {
        .ok(.init(body: .json(try APIMapping.dataPlaneInstance(try await dataPlane.instance(input.path.dataPlaneInstanceId, caller: caller)))))
    }

    func deleteDataPlaneInstance(_ input: Operations.DeleteDataPlaneInstance.Input, caller: Caller) async throws -> Operations.DeleteDataPlaneInstance.Output {
        .ok(.init(body: .json(try APIMapping.dataPlaneInstance(try await dataPlane.deleteInstance(input.path.dataPlaneInstanceId, caller: caller)))))
    }

    func listObjectStores(_ input: Operations.ListObjectStores.Input, caller: Caller) async throws -> Operations.ListObjectStores.Output {
        .ok(.init(body: .json(.init(items: try await dataPlane.objectStores(caller: caller).map(APIMapping.objectStore)))))
    }

    func createObjectStore(_ input: Operations.CreateObjectStore.Input, caller: Caller) async throws -> Operations.CreateObjectStore.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let store = try await dataPlane.createObjectStore(ObjectStoreRequest(
            providerKey: request.providerKey, hostedMode: try request.hostedMode.map { try APIMapping.domain($0.rawValue, as: ObjectStoreHostedMode.self, field: "hostedMode") },
            purpose: try APIMapping.domain(request.purpose.rawValue, as: ObjectStorePurpose.self, field: "purpose"), bucket: request.bucket,
            prefix: request.prefix, dataPlaneInstanceID: request.dataPlaneInstanceId, metadata: try APIMapping.jsonObject(request.metadata?.additionalProperties)
        ), caller: caller)
        return .created(.init(body: .json(try APIMapping.objectStore(store))))
    }

    func getObjectStore(_ input: Operations.GetObjectStore.Input, caller: Caller) async throws -> Operations.GetObjectStore.Output {
        .ok(.init(body: .json(try APIMapping.objectStore(try await dataPlane.objectStore(input.path.objectStoreId, caller: caller)))))
    }

    func deleteObjectStore(_ input: Operations.DeleteObjectStore.Input, caller: Caller) async throws -> Operations.DeleteObjectStore.Output {
        .ok(.init(body: .json(try APIMapping.objectStore(try await dataPlane.deleteObjectStore(input.path.objectStoreId, caller: caller)))))
    }
}
