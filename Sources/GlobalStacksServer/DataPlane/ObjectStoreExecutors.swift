import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

/// `object-store.provision`: the store's extension creates (or, for an `external` store, only verifies) the bucket
/// and writes its marker under the prefix (`provision`); the store is then `ready`, or `failed` with the reason.
struct ObjectStoreProvisionExecutor: OperationExecutor {
    let store: any DataPlaneRepository & AgentRepository
    let dispatch: ExtensionDispatch

    func execute(_ context: ExecutionContext) async throws -> [String: String] {
        let scope = context.scope
        let objectStore = try await context.recordOfRun(missing: "The object store of this run is not recorded yet.") {
            try await store.objectStore(provisionRun: context.run.id, scope)
        }
        guard objectStore.status == .provisioning else { return ["objectStoreId": objectStore.id.rawValue, "skipped": objectStore.status.rawValue] }
        do {
            var input: [String: JSONValue] = [
                "bucket": .string(objectStore.bucket), "hostedMode": .string(objectStore.hostedMode.rawValue),
            ]
            if let prefix = objectStore.prefix { input["prefix"] = .string(prefix) }
            let cluster = try await ExtensionRunTarget.cluster(for: scope, store: store, connected: dispatch.connectedAgents)
            let answer = try await dispatch.dispatch(ExtensionRunTarget.invocation(objectStore.providerKey, "provision", cluster: cluster, input: input), context)
            let endpoint = answer.answer.outputs["endpoint"].flatMap { if case .string(let text) = $0 { text } else { nil } }
            let created = answer.answer.outputs["created"] == .bool(true)
            _ = try await store.updateObjectStore(id: objectStore.id, scope, at: Date()) { objectStore in
                guard objectStore.status == .provisioning else { return }
                objectStore.status = .ready
                objectStore.statusReason = nil
                objectStore.endpoint = endpoint.map { String($0.prefix(1_000)) }
                objectStore.createdBucket = created
                objectStore.verifiedAt = Date()
            }
            return ["objectStoreId": objectStore.id.rawValue, "createdBucket": created ? "true" : "false", "agentId": answer.agentID.rawValue]
        } catch {
            if let reason = ExecutionError.finalReason(of: error, attempt: context.run) {
                _ = try? await store.updateObjectStore(id: objectStore.id, scope, at: Date()) { objectStore in
                    guard objectStore.status.canTransition(to: .failed) else { return }
                    objectStore.status = .failed
                    objectStore.statusReason = reason
                }
            }
            throw error
        }
    }
}

/// `object-store.delete`: the extension removes the marker and the objects under the prefix, and the bucket when the
/// store created it or its creator asked (`delete`); the store is then `deleted`.
struct ObjectStoreDeleteExecutor: OperationExecutor {
    let store: any DataPlaneRepository & AgentRepository
    let dispatch: ExtensionDispatch

    func execute(_ context: ExecutionContext) async throws -> [String: String] {
        let scope = context.scope
        guard let id = context.run.targetContext["objectStoreId"].flatMap(ObjectStoreID.init(path:)),
              let objectStore = try await store.objectStore(id: id, scope)
        else { throw ExecutionError.permanent("The run names no object store of the tenant.") }
        guard objectStore.status != .deleted else { return ["objectStoreId": id.rawValue, "skipped": "deleted"] }
        let deleteBucket = objectStore.createdBucket || objectStore.metadata[ObjectStore.deleteBucketWithStoreKey] == .bool(true)
        // A store that never became ready put nothing on the endpoint (or nothing it can name): only the record goes.
        if objectStore.status != .provisioning && objectStore.status != .failed {
            var input: [String: JSONValue] = ["bucket": .string(objectStore.bucket), "deleteBucket": .bool(deleteBucket)]
            if let prefix = objectStore.prefix { input["prefix"] = .string(prefix) }
            let cluster = try await ExtensionRunTarget.cluster(for: scope, store: store, connected: dispatch.connectedAgents)
            _ = try await dispatch.dispatch(ExtensionRunTarget.invocation(objectStore.providerKey, "delete", cluster: cluster, input: input), context)
        }
        _ = try await store.updateObjectStore(id: id, scope, at: Date()) { objectStore in
            objectStore.status = .deleted
            objectStore.statusReason = nil
        }
        return ["objectStoreId": id.rawValue, "deletedBucket": deleteBucket ? "true" : "false"]
    }
}
