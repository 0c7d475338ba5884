import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// The active tenant's Data Plane: data-plane instances (a service an installed extension provisions on one of the
/// tenant's hosts) and object stores (a bucket an installed extension reaches over the S3 API). Members read; owners
/// and admins (`manageDataPlane`) create and delete. Creating and deleting start operation runs through the start
/// gate; the answer is the record as it is when the run was admitted (`provisioning`, `draining`).
public struct DataPlaneService: Sendable {
    private let store: any DataPlaneRepository & InstallRepository & AgentRepository
    private let gate: OperationGate

    public init(store: any DataPlaneRepository & InstallRepository & AgentRepository, gate: OperationGate) {
        self.store = store
        self.gate = gate
    }

    // MARK: Instances

    public func instances(caller: Caller) async throws -> [DataPlaneInstance] {
        try await store.dataPlaneInstances(try caller.activeTenant())
    }

    public func instance(_ id: String, caller: Caller) async throws -> DataPlaneInstance {
        let scope = try caller.activeTenant()
        guard let id = DataPlaneInstanceID(path: id), let instance = try await store.dataPlaneInstance(id: id, scope) else {
            throw DomainError.notFound("No data-plane instance \(id.prefix(64)) in the active tenant.")
        }
        return instance
    }

    /// Records the instance and starts its provisioning. A second create of the same provider on the same host while
    /// the first is provisioning answers the first (the gate's dedupe).
    public func createInstance(_ request: DataPlaneInstanceRequest, caller: Caller) async throws -> DataPlaneInstance {
        let scope = try caller.activeTenant()
        try caller.require(.manageDataPlane)
        let installed = try await provider(request.extensionKey, kind: .instance, scope)
        let manifest = installed.release.release.manifest
        guard let hostID = AgentID(path: request.hostID), let host = try await store.agent(id: hostID, visibleTo: .tenant(scope)) else {
            throw DomainError.notFound("No host \(request.hostID.prefix(64)) among the agents of the active tenant's clusters.")
        }
        guard host.approval == .approved, host.revokedAt == nil else {
            throw DomainError.invalidInput("Host \(host.name) is not an approved agent; an administrator approves it first.")
        }
        guard (try JSONValue.object(request.settings).encodedText()).utf8.count <= Self.maximumSettingsBytes else {
            throw DomainError.invalidInput("settings may hold at most \(Self.maximumSettingsBytes / 1_024) KiB of JSON.")
        }
        let live = try await store.dataPlaneInstances(scope).filter { $0.state != .deleted }.count
        guard live < Self.maximumInstancesPerTenant else {
            throw DomainError.forbidden("The tenant has \(live) data-plane instances, the most it may have; delete one first.")
        }
        let provider = try request.provider.map { try Self.providerName($0) } ?? manifest.dataPlane?.provider ?? manifest.key.rawValue
        // The instance's settings go over the install's, validated against the extension's schema; secrets stay the
        // install's (written once, never per instance).
        if let secret = request.settings.keys.sorted().first(where: manifest.settings.secretKeys.contains) {
            throw DomainError.invalidInput("settings.\(secret) is a secret of the extension; set it on the install (PUT /v1/integration-installs/\(manifest.key)/settings).")
        }
        let policy = try await store.extensionPolicy(key: manifest.key, scope)
        let merged = ExtensionSettingsSpec.merging(request.settings, into: installed.install.settings)
        try manifest.settings.validate(tenant: merged, policy: policy)
        let effective = manifest.settings.effective(tenant: merged, policy: policy).filter { !manifest.settings.secretKeys.contains($0.key) }
        let outcome = try await gate.start(.dataPlaneInstanceProvision, caller: caller, StartRequest(
            targetContext: ["extensionKey": manifest.key.rawValue, "provider": provider, "hostId": hostID.rawValue],
            sourceSurface: "createDataPlaneInstance"
        ))
        switch outcome.status {
        case .accepted:
            return try await store.createDataPlaneInstance(NewDataPlaneInstance(
                id: .generate(), provider: provider, extensionKey: manifest.key, installID: installed.install.id, agentID: hostID, settings: request.settings,
                effectiveSettings: effective, metadata: [:], provisionRunID: outcome.run.id, createdBy: caller.user.id
            ), scope, at: Date())
        case .deduped:
            return try await recorded { try await store.dataPlaneInstance(provisionRun: outcome.run.id, scope) }
        case .blocked, .scopeBusy:
            throw DomainError.forbidden(outcome.operatorMessage)
        }
    }

    /// Moves the instance to `draining` and starts removing its service and data from the host; a deleted one is
    /// answered as it is.
    public func deleteInstance(_ id: String, caller: Caller) async throws -> DataPlaneInstance {
        let scope = try caller.activeTenant()
        let instance = try await self.instance(id, caller: caller)
        try caller.require(.manageDataPlane)
        guard instance.state != .deleted else { return instance }
        let draining = try await store.updateDataPlaneInstance(id: instance.id, scope, at: Date()) { instance in
            if instance.state != .draining {
                try instance.state.requireTransition(to: .draining, action: "delete")
                instance.state = .draining
                instance.stateReason = "Deleting: the host removes the service and its data."
            }
        }
        let outcome = try await gate.start(.dataPlaneInstanceDelete, caller: caller, StartRequest(
            targetContext: ["instanceId": instance.id.rawValue], sourceSurface: "deleteDataPlaneInstance"
        ))
        guard outcome.status != .blocked else { throw DomainError.forbidden(outcome.operatorMessage) }
        return draining
    }

    // MARK: Object stores

    public func objectStores(caller: Caller) async throws -> [ObjectStore] {
        try await store.objectStores(try caller.activeTenant())
    }

    public func objectStore(_ id: String, caller: Caller) async throws -> ObjectStore {
        let scope = try caller.activeTenant()
        guard let id = ObjectStoreID(path: id), let objectStore = try await store.objectStore(id: id, scope) else {
            throw DomainError.notFound("No object store \(id.prefix(64)) in the active tenant.")
        }
        return objectStore
    }

    /// Records the store and starts creating or verifying its bucket and prefix through its extension.
    public func createObjectStore(_ request: ObjectStoreRequest, caller: Caller) async throws -> ObjectStore {
        let scope = try caller.activeTenant()
        try caller.require(.manageDataPlane)
        let installed = try await provider(request.providerKey, kind: .objectStore, scope)
        let bucket = try ObjectStoreLocation.bucket(request.bucket)
        let prefix = try request.prefix.flatMap(ObjectStoreLocation.prefix)
        try ObjectStoreLocation.metadata(request.metadata)
        let hostedMode = request.hostedMode ?? (request.dataPlaneInstanceID == nil ? .external : .globalstacksManaged)
        var backing: DataPlaneInstanceID?
        switch (hostedMode, request.dataPlaneInstanceID) {
        case (.globalstacksManaged, let id?):
            guard let id = DataPlaneInstanceID(path: id), try await store.dataPlaneInstance(id: id, scope).map({ $0.state.wantsService }) == true else {
                throw DomainError.notFound("No data-plane instance \(id.prefix(64)) in the active tenant.")
            }
            backing = id
        case (.globalstacksManaged, nil):
            throw DomainError.invalidInput("A globalstacks_managed object store names the data-plane instance that serves it (dataPlaneInstanceId).")
        case (_, .some):
            throw DomainError.invalidInput("dataPlaneInstanceId is for globalstacks_managed object stores only.")
        case (_, nil):
            break
        }
        let key = installed.install.extensionKey
        let outcome = try await gate.start(.objectStoreProvision, caller: caller, StartRequest(
            targetContext: ["providerKey": key.rawValue, "bucket": bucket, "prefix": prefix ?? ""], sourceSurface: "createObjectStore"
        ))
        switch outcome.status {
        case .accepted:
            return try await store.createObjectStore(NewObjectStore(
                id: .generate(), providerKey: key, hostedMode: hostedMode, purpose: request.purpose, bucket: bucket, prefix: prefix,
                credentialRef: ObjectStoreLocation.credentialReference(key), dataPlaneInstanceID: backing, metadata: request.metadata,
                provisionRunID: outcome.run.id, createdBy: caller.user.id
            ), scope, at: Date())
        case .deduped:
            return try await recorded { try await store.objectStore(provisionRun: outcome.run.id, scope) }
        case .blocked, .scopeBusy:
            throw DomainError.forbidden(outcome.operatorMessage)
        }
    }

    /// Starts removing what the store put on its endpoint; the bucket goes too only when the store created it, or when
    /// its creator asked for that (`metadata.deleteBucketWithStore: true`): a bucket the tenant brought stays unless
    /// asked. The record is `deleted` once done.
    public func deleteObjectStore(_ id: String, caller: Caller) async throws -> ObjectStore {
        let objectStore = try await self.objectStore(id, caller: caller)
        try caller.require(.manageDataPlane)
        guard objectStore.status != .deleted else { return objectStore }
        let outcome = try await gate.start(.objectStoreDelete, caller: caller, StartRequest(
            targetContext: ["objectStoreId": objectStore.id.rawValue], sourceSurface: "deleteObjectStore"
        ))
        guard outcome.status != .blocked else { throw DomainError.forbidden(outcome.operatorMessage) }
        return objectStore
    }

    // MARK: Shared

    /// The installed extension behind `key`, runnable and offering `kind`.
    private func provider(_ keyText: String, kind: ExtensionManifest.DataPlaneOffer.Kind, _ scope: TenantScope) async throws -> InstalledExtension {
        let key = try ExtensionKey.parse(keyText, field: kind == .instance ? "extensionKey" : "providerKey")
        guard let installed = try await store.install(key: key, scope) else {
            throw DomainError.notFound("'\(key)' is not installed in the active tenant; install it first (POST /v1/integration-installs/\(key)).")
        }
        let manifest = installed.release.release.manifest
        let (status, reason) = installed.install.effectiveStatus(releaseCompatibility: Compatibility(manifest: manifest, agentCapabilities: []))
        guard status == .installed else {
            throw DomainError.forbidden("'\(key)' cannot be used now: it is \(status.rawValue)\(reason.map { " (\($0))" } ?? "").")
        }
        guard manifest.dataPlane?.kind == kind else {
            throw DomainError.invalidInput("'\(key)' does not provision \(kind == .instance ? "data-plane instances" : "object stores").")
        }
        return installed
    }

    /// The record a deduplicated create refers to: written by the request that started the run, a moment later at worst.
    private func recorded<Record>(_ lookup: () async throws -> Record?) async throws -> Record {
        for _ in 0..<20 {
            if let record = try await lookup() { return record }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DomainError.conflict("The same create is under way and not recorded yet; list them again in a moment.")
    }

    /// Instances (not deleted) a tenant may have, and the size of one's settings (they travel to the agent in one message).
    static let maximumInstancesPerTenant = 50
    static let maximumSettingsBytes = 64 << 10

    static func providerName(_ text: String) throws -> String {
        guard (1...63).contains(text.count), text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw DomainError.invalidInput("provider must be 1 to 63 letters, digits, '.', '_' or '-'.")
        }
        return text
    }
}
