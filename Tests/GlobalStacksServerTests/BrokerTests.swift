import Foundation
import FoundationNetworking
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import Testing

/// The broker end to end: the example extension (Python) published and installed through the API, invoked through
/// `POST /v1/integration-extensions/{key}/invoke`, and really run by a real `gstacks agent` in bubblewrap, with its
/// settings, its secret and egress to the one host it declares; every refusal the contract lists; egress and the
/// kill switch tried from inside.
@Suite("Broker end to end", .serialized)
struct BrokerTests {
    typealias Installation = SandboxEndToEndTests.Installation

    /// The runtime needs bubblewrap, and the egress proxy enters the sandbox's network namespace (root).
    static let enabled = ServerProcess.isBuilt && FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap") && geteuid() == 0

    struct Setup {
        let installation: Installation
        let api: LiveHTTP
        let upstream: EchoHTTPServer
        let clusterID: String
        let example: ExampleExtension
    }

    static func setUp(_ engine: TestEngine) async throws -> Setup {
        let upstream = try EchoHTTPServer()
        // Loopback egress is allowed for the test's local server only because this agent is told so.
        let installation = try await Installation.start(engine, agentArguments: ["--allow-loopback-egress"])
        let api = try await LiveHTTP.signIn(installation.server)
        try await api.activateTenant(slug: "prod")
        try await upstream.ready()
        let clusterID = try #require(try await installation.api.clusters().first { $0.name == "Rack" }?.id)
        let example = try await ExampleExtension.publish(api, egress: ["localhost:\(upstream.port)"])
        try await example.install(api, settings: #"{"endpoint":"http://localhost:\#(upstream.port)","label":"from-settings","token":"s3cret-token"}"#)
        return Setup(installation: installation, api: api, upstream: upstream, clusterID: clusterID, example: example)
    }

    static func invoke(_ setup: Setup, _ operation: String, _ input: String, key: String = ExampleExtension.key, targetKind: String = "cluster", targetID: String? = nil) async throws -> LiveHTTP.Reply {
        try await invoke(setup.api, operation, input, key: key, targetKind: targetKind, targetID: targetID ?? setup.clusterID)
    }

    static func invoke(_ api: LiveHTTP, _ operation: String, _ input: String, key: String = ExampleExtension.key, targetKind: String = "cluster", targetID: String) async throws -> LiveHTTP.Reply {
        try await api.json("POST", "/v1/integration-extensions/\(key)/invoke",
                           #"{"operation":"\#(operation)","targetKind":"\#(targetKind)","targetId":"\#(targetID)","input":\#(input)}"#)
    }

    @Test(.enabled(if: enabled, "needs the built gstacks, bubblewrap and root"), arguments: TestEngine.available)
    func anInstalledExtensionRunsOnTheAgentWithItsSettingsSecretAndDeclaredHost(_ engine: TestEngine) async throws {
        let setup = try await Self.setUp(engine)
        let reply = try await Self.invoke(setup, "probe", #"{"path":"/health"}"#)
        try #require(reply.status == 200, "\(reply.status) \(reply.message)")
        let outputs = try #require(reply.json["outputs"] as? [String: Any])
        #expect(reply.json["status"] as? String == "succeeded")
        #expect(outputs["status"] as? Int == 200)
        #expect(outputs["body"] as? String == "path=/health token=Bearer s3cret-token", "the secret setting reached the declared host: \(outputs)")
        #expect(outputs["label"] as? String == "from-settings")
        #expect((reply.json["diagnostics"] as? [String])?.first?.contains("operation probe on cluster") == true)

        let jobID = try #require(reply.json["jobId"] as? String)
        let run = try await setup.api.ok("GET", "/v1/operation-runs/\(jobID)")
        #expect(run["operationType"] as? String == "integration.extension.invoke")
        #expect(run["outcome"] as? String == "succeeded")
        let result = try #require(run["result"] as? [String: String])
        #expect(result["agentId"] == setup.installation.agentID && result["artifactCached"] == "false", "\(result)")

        // The second run of the same digest uses the agent's cache.
        let again = try await Self.invoke(setup, "echo", #"{"hello":"world"}"#)
        #expect(again.status == 200 && (again.json["outputs"] as? [String: Any])?["echo"] as? [String: String] == ["hello": "world"], "\(again.message)")
        let cached = try await setup.api.ok("GET", "/v1/operation-runs/\(try #require(again.json["jobId"] as? String))")
        #expect((cached["result"] as? [String: String])?["artifactCached"] == "true")
    }

    @Test(.enabled(if: enabled, "needs the built gstacks, bubblewrap and root"), arguments: TestEngine.available)
    func egressReachesExactlyTheDeclaredHost(_ engine: TestEngine) async throws {
        let setup = try await Self.setUp(engine)
        let other = try EchoHTTPServer()
        try await other.ready()
        func fetch(_ url: String, direct: Bool = false) async throws -> [String: Any] {
            let reply = try await Self.invoke(setup, "fetch", #"{"url":"\#(url)","direct":\#(direct)}"#)
            try #require(reply.status == 200, "\(url): \(reply.status) \(reply.message)")
            return try #require(reply.json["outputs"] as? [String: Any])
        }
        let declared = try await fetch("http://localhost:\(setup.upstream.port)/ok")
        #expect(declared["reached"] as? Bool == true && declared["status"] as? Int == 200, "\(declared)")

        let rawIP = try await fetch("http://127.0.0.1:\(setup.upstream.port)/ok")
        #expect(rawIP["reached"] as? Bool == false && rawIP["status"] as? Int == 403 && (rawIP["detail"] as? String)?.contains("IP address") == true, "\(rawIP)")
        let hostLoopback = try await fetch("http://localhost:\(other.port)/")
        #expect(hostLoopback["reached"] as? Bool == false && hostLoopback["status"] as? Int == 403, "another service on the host's loopback: \(hostLoopback)")
        let undeclared = try await fetch("http://undeclared.example.com/")
        #expect(undeclared["reached"] as? Bool == false && (undeclared["detail"] as? String)?.contains("not among the hosts") == true, "\(undeclared)")
        let direct = try await fetch("http://localhost:\(setup.upstream.port)/ok", direct: true)
        #expect(direct["reached"] as? Bool == false && direct["status"] == nil, "around the proxy there is no network: \(direct)")
    }

    /// The release asks for clusters.read: its invocation calls the API with a credential of its own, which lists
    /// the tenant's clusters and is refused everything else.
    @Test(.enabled(if: enabled, "needs the built gstacks, bubblewrap and root"), arguments: TestEngine.available)
    func theInvocationCredentialReachesOnlyWhatWasConsented(_ engine: TestEngine) async throws {
        let setup = try await Self.setUp(engine)
        let reply = try await Self.invoke(setup, "clusters", "{}")
        try #require(reply.status == 200, "\(reply.status) \(reply.message)")
        let outputs = try #require(reply.json["outputs"] as? [String: Any])
        #expect(outputs["clusters"] as? [String] == ["Rack"], "\(outputs)")
        #expect(outputs["refused"] as? [String: Int] == ["listSandboxes": 403, "createApiKey": 403, "createTenant": 403], "\(outputs)")
    }

    @Test(.enabled(if: enabled, "needs the built gstacks, bubblewrap and root"), arguments: TestEngine.available)
    func everyRefusalHasItsStatus(_ engine: TestEngine) async throws {
        let setup = try await Self.setUp(engine)
        let notInstalled = try await Self.invoke(setup, "probe", #"{"path":"/"}"#, key: "nobody.nothing")
        #expect(notInstalled.status == 403 && notInstalled.message.contains("not installed"), "\(notInstalled.message)")
        let undeclared = try await Self.invoke(setup, "drop-tables", "{}")
        #expect(undeclared.status == 403 && undeclared.message.contains("declares no operation 'drop-tables'"), "\(undeclared.message)")
        let badInput = try await Self.invoke(setup, "probe", #"{"path":5}"#)
        #expect(badInput.status == 400 && badInput.message.contains("input.path"), "\(badInput.message)")
        let missing = try await Self.invoke(setup, "probe", "{}")
        #expect(missing.status == 400 && missing.message.contains("path"), "\(missing.message)")
        let kind = try await Self.invoke(setup, "probe", #"{"path":"/"}"#, targetKind: "tenant")
        #expect(kind.status == 400 && kind.message.contains("targetKind"), "\(kind.message)")
        let nowhere = try await Self.invoke(setup, "probe", #"{"path":"/"}"#, targetID: UUID().uuidString.lowercased())
        #expect(nowhere.status == 400 && nowhere.message.contains("names no cluster"), "\(nowhere.message)")
        let empty = try #require(try await setup.api.ok("POST", "/v1/clusters", #"{"name":"Empty rack","ownership":"byo"}"#)["id"] as? String)
        let noAgent = try await Self.invoke(setup, "probe", #"{"path":"/"}"#, targetID: empty)
        #expect(noAgent.status == 409 && noAgent.message.contains("Empty rack") && noAgent.message.contains("no approved, online agent"), "\(noAgent.message)")

        // The extension fails: 502 with its diagnostics; the run keeps the record.
        let failed = try await Self.invoke(setup, "probe", #"{"path":"/"}"#.replacingOccurrences(of: "/", with: "/\u{0}"))
        #expect(failed.status == 400 || failed.status == 502, "\(failed.status) \(failed.message)")
        try await setup.api.ok("PATCH", "/v1/integration-installs/\(ExampleExtension.key)/settings", #"{"settings":{"endpoint":"http://localhost:1"}}"#)
        let broken = try await Self.invoke(setup, "probe", #"{"path":"/"}"#)
        #expect(broken.status == 502 && broken.message.contains("exited with status 1") && broken.message.contains("stderr:"), "\(broken.message)")
        #expect(broken.message.contains("s3cret-token") == false, "secrets never come back in diagnostics")
    }

    @Test(.enabled(if: enabled, "needs the built gstacks, bubblewrap and root"), arguments: TestEngine.available)
    func revokingTheReleaseStopsARunningInvocationAndRefusesNewOnes(_ engine: TestEngine) async throws {
        let setup = try await Self.setUp(engine)
        let started = ContinuousClock.now
        let api = setup.api
        let clusterID = setup.clusterID
        async let waiting = Self.invoke(api, "wait", #"{"seconds":40}"#, targetID: clusterID)
        try await Task.sleep(for: .seconds(3))
        try await setup.api.ok("POST", "/v1/marketplace/releases/\(setup.example.releaseID)/decisions", #"{"to":"revoked","reason":"ships a cryptominer"}"#)
        let stopped = try await waiting
        #expect(stopped.status == 502 && stopped.message.contains("revoked") && stopped.message.contains("ships a cryptominer"), "\(stopped.message)")
        #expect(ContinuousClock.now - started < .seconds(20), "stopped, not waited out")
        let runs = try await setup.api.ok("GET", "/v1/operation-runs?operationType=integration.extension.invoke")
        let last = try #require((runs["items"] as? [[String: Any]])?.first)
        #expect(last["outcome"] as? String == "failed" && (last["shortReason"] as? String)?.contains("ships a cryptominer") == true, "\(last)")
        let refused = try await Self.invoke(setup, "echo", "{}")
        #expect(refused.status == 403 && refused.message.contains("disabled"), "\(refused.message)")
    }

    @Test(.enabled(if: enabled, "needs the built gstacks, bubblewrap and root"))
    func revokingThePublisherKeyStopsARunningInvocation() async throws {
        let setup = try await Self.setUp(.sqlite)
        let api = setup.api
        let clusterID = setup.clusterID
        async let waiting = Self.invoke(api, "wait", #"{"seconds":40}"#, targetID: clusterID)
        try await Task.sleep(for: .seconds(3))
        try await api.ok("POST", "/v1/developer/apps/\(setup.example.appID)/keys/\(setup.example.keyID)/revoke", #"{"reason":"key leaked"}"#)
        let stopped = try await waiting
        #expect(stopped.status == 502 && stopped.message.contains("key leaked"), "\(stopped.message)")
        let refused = try await Self.invoke(setup, "echo", "{}")
        #expect(refused.status == 403 && refused.message.contains("unsupported"), "\(refused.message)")
    }

    /// Invocations have workers of their own (four by default, beside the two of the other runs): three run at once.
    @Test(.enabled(if: enabled, "needs the built gstacks, bubblewrap and root"))
    func invocationsRunSideBySide() async throws {
        let setup = try await Self.setUp(.sqlite)
        let api = setup.api
        let clusterID = setup.clusterID
        let replies = try await withThrowingTaskGroup(of: LiveHTTP.Reply.self) { group in
            for _ in 0..<3 {
                group.addTask { try await Self.invoke(api, "wait", #"{"seconds":3}"#, targetID: clusterID) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.allSatisfy { $0.status == 200 }, "\(replies.map(\.message))")
        let runs = try #require(try await api.ok("GET", "/v1/operation-runs?operationType=integration.extension.invoke")["items"] as? [[String: Any]])
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let started = runs.compactMap { ($0["startedAt"] as? String).flatMap(formatter.date(from:)) }
        let completed = runs.compactMap { ($0["completedAt"] as? String).flatMap(formatter.date(from:)) }
        try #require(started.count == 3 && completed.count == 3, "\(runs)")
        #expect(started.max()! < completed.min()!, "all three ran at once: every one started before any finished")
    }

    /// The control plane never runs an artifact itself: with only an agent that offers no extension runtime (the
    /// noop driver), invoking answers 503 although this host could run it.
    @Test(.enabled(if: enabled, "needs the built gstacks, bubblewrap and root"))
    func withoutAnAgentOfferingTheRuntimeInvokingIsUnavailable() async throws {
        let data = LifecycleTests.dataDirectory()
        let server = try await ServerProcess(["--data-dir", data, "--bcrypt-cost", "4", "--log-level", "warning"], environment: LifecycleTests.admin)
        let client = try await server.client.signIn(email: "root@example.com", password: "root-password-123")
        try await client.activateTenant(try await client.createTenant(name: "Prod", slug: "prod").id)
        let cluster = try await client.createCluster(name: "Rack")
        let token = try await client.createProvisioningToken(cluster: cluster.id)
        let agent = try AgentProcess(server: server, name: "noop-1", credentialsFile: data + "/agent/agent.json", token: token, driver: "noop")
        var agentID: String?
        for _ in 0..<300 where agentID == nil {
            try await Task.sleep(for: .milliseconds(100))
            agentID = try await client.agents().first { $0.status == .online }?.id
        }
        _ = try await client.approveAgent(try #require(agentID))
        let api = try await LiveHTTP.signIn(server)
        try await api.activateTenant(slug: "prod")
        let example = try await ExampleExtension.publish(api, egress: ["status.example.com"])
        try await example.install(api, settings: #"{"token":"t"}"#)
        let reply = try await api.json("POST", "/v1/integration-extensions/\(ExampleExtension.key)/invoke",
                                       #"{"operation":"echo","targetKind":"cluster","targetId":"\#(cluster.id)","input":{}}"#)
        #expect(reply.status == 503 && reply.message.contains("extensions.runtime") && reply.message.contains("never run in the control plane"), "\(reply.message)")
        let runs = try await api.ok("GET", "/v1/operation-runs?operationType=integration.extension.invoke")
        #expect((runs["items"] as? [Any])?.isEmpty == true, "refused before any run existed")
        agent.kill()
    }
}
