import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

/// Data-plane instances and object stores on both engines: what creating stores, which reports move an instance
/// (only its own host's, only legal moves, only once provisioning stored its service), and one live store per bucket
/// and prefix.
@Suite("Store conformance: data plane")
struct DataPlaneConformanceTests {
    static let key = ExtensionKey(rawValue: "acme.postgres")!

    static func newInstance(_ world: SandboxConformanceTests.World, run: Int64 = Int64.random(in: 1...1_000_000)) -> NewDataPlaneInstance {
        NewDataPlaneInstance(
            id: .generate(), provider: "postgresql", extensionKey: key, installID: nil, agentID: world.agent.id, settings: ["maxConnections": .number(20)],
            effectiveSettings: ["maxConnections": .number(20)], metadata: [:], provisionRunID: OperationRunID(rawValue: run), createdBy: world.ada.id
        )
    }

    static let service = try! ServiceDefinition(provisionOutputs: [
        "service": .object(["command": .array([.string("/usr/bin/postgres")])]), "endpoint": .string("postgresql:///x?host={socketDirectory}"),
    ])

    @Test(arguments: TestEngine.available)
    func anInstanceMovesOnlyByItsHostsLegalReportsOnceItHasAService(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await SandboxConformanceTests.world(store)
            let created = try await store.createDataPlaneInstance(Self.newInstance(world, run: 42), world.scope, at: Date())
            #expect(created.state == .provisioning && created.health == [:] && created.settings["maxConnections"] == .number(20))
            #expect(try await store.dataPlaneInstance(provisionRun: OperationRunID(rawValue: 42), world.scope)?.id == created.id)

            // Before provisioning stored how to run it, a report keeps the health only.
            let early = try await store.recordServiceHealth(created.id, agentID: world.agent.id, state: .healthy, reason: nil, health: ["passed": .bool(true)], at: Date())
            #expect(early?.state == .provisioning && early?.health["passed"] == .bool(true))
            _ = try await store.updateDataPlaneInstance(id: created.id, world.scope, at: Date()) {
                $0.service = Self.service
                $0.endpoint = Self.service.endpoint(socketDirectory: DataPlaneInstance.socketDirectory($0.id))
            }
            // Another agent's report changes nothing.
            #expect(try await store.recordServiceHealth(created.id, agentID: .generate(), state: .failed, reason: "no", health: [:], at: Date()) == nil)
            let healthy = try await store.recordServiceHealth(created.id, agentID: world.agent.id, state: .healthy, reason: nil, health: [:], at: Date())
            #expect(healthy?.state == .healthy && healthy?.service == Self.service && healthy?.endpoint == "postgresql:///x?host=/run/globalstacks/data-plane/\(created.id)")
            let degraded = try await store.recordServiceHealth(created.id, agentID: world.agent.id, state: .degraded, reason: "check failed 3 times", health: [:], at: Date())
            #expect(degraded?.state == .degraded && degraded?.stateReason == "check failed 3 times")
            #expect(try await store.dataPlaneInstances(agentID: world.agent.id).map(\.id) == [created.id])

            // Draining: reports are ignored; the host's removal deletes it, once.
            _ = try await store.updateDataPlaneInstance(id: created.id, world.scope, at: Date()) { $0.state = .draining }
            #expect(try await store.recordServiceHealth(created.id, agentID: world.agent.id, state: .healthy, reason: nil, health: [:], at: Date()) == nil)
            #expect(try await store.recordServiceRemoved(created.id, agentID: .generate(), at: Date()) == nil)
            #expect(try await store.recordServiceRemoved(created.id, agentID: world.agent.id, at: Date())?.state == .deleted)
            #expect(try await store.recordServiceRemoved(created.id, agentID: world.agent.id, at: Date()) == nil)
            #expect(try await store.dataPlaneInstances(agentID: world.agent.id).isEmpty)
            #expect(try await store.dataPlaneInstances(world.scope).map(\.state) == [.deleted], "kept as a record")
        }
    }

    @Test(arguments: TestEngine.available)
    func oneLiveObjectStorePerBucketAndPrefix(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await SandboxConformanceTests.world(store)
            func new(_ prefix: String?, run: Int64) -> NewObjectStore {
                NewObjectStore(
                    id: .generate(), providerKey: Self.key, hostedMode: .external, purpose: .logs, bucket: "logs", prefix: prefix,
                    credentialRef: "install:acme.postgres#secrets", dataPlaneInstanceID: nil, metadata: ["team": .string("core")],
                    provisionRunID: OperationRunID(rawValue: run), createdBy: world.ada.id
                )
            }
            let first = try await store.createObjectStore(new(nil, run: 1), world.scope, at: Date())
            #expect(first.status == .provisioning && first.prefix == nil && !first.createdBucket && first.metadata["team"] == .string("core"))
            let duplicate = await DomainError.caught { _ = try await store.createObjectStore(new(nil, run: 2), world.scope, at: Date()) }
            #expect(duplicate?.kind == .conflict, "\(String(describing: duplicate))")
            _ = try await store.createObjectStore(new("other", run: 3), world.scope, at: Date())
            let ready = try await store.updateObjectStore(id: first.id, world.scope, at: Date()) {
                $0.status = .ready
                $0.createdBucket = true
                $0.endpoint = "http://s3.example"
                $0.verifiedAt = Date()
            }
            #expect(try await store.objectStore(id: first.id, world.scope) == ready)
            let access = try await store.objectStoreAccess(id: first.id)
            #expect(access?.store == ready && access?.settings == [:] && access?.sealedSecrets == nil, "no install of its provider: nothing to reach it with")
            _ = try await store.updateObjectStore(id: first.id, world.scope, at: Date()) { $0.status = .deleted }
            // Deleted, its place is free again.
            _ = try await store.createObjectStore(new(nil, run: 4), world.scope, at: Date())
            #expect(try await store.objectStores(world.scope).count == 3)
        }
    }
}
