import Foundation
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import Testing

/// A real server and a real `gstacks agent` with the process driver (inside bubblewrap when it is installed):
/// sandboxes run real commands, and every command is stored, delivered, acknowledged and completed.
@Suite("Sandboxes end to end", .serialized)
struct SandboxEndToEndTests {
    /// A server on `engine` with a signed-in admin, a tenant, a byo cluster and an approved agent online.
    struct Installation {
        let server: ServerProcess
        let flags: [String]
        /// The admin's client, signed in.
        let api: GlobalStacksClient
        let agent: AgentProcess
        let agentID: String

        static func start(_ engine: TestEngine, agentArguments: [String] = []) async throws -> Installation {
            let data = LifecycleTests.dataDirectory()
            var flags = ["--data-dir", data, "--bcrypt-cost", "4", "--log-level", "warning", "--command-deadline-seconds", "60"]
            if engine == .postgres {
                flags += ["--database-url", try await TestDatabase.make(.postgres).location]
            }
            // With PostgreSQL, other replicas may join (the relay test): each says where it is reached.
            let port = ServerProcess.freePort()
            let relay = engine == .postgres ? ["--relay-url", "http://127.0.0.1:\(port)"] : []
            let server = try await ServerProcess(flags + relay, environment: LifecycleTests.admin, port: port)
            let api = try await server.client.signIn(email: "root@example.com", password: "root-password-123")
            try await api.activateTenant(try await api.createTenant(name: "Prod", slug: "prod").id)
            let token = try await api.createProvisioningToken(cluster: try await api.createCluster(name: "Rack").id)
            let agent = try AgentProcess(server: server, name: "rack-1", credentialsFile: data + "/agent/agent.json", token: token, extraArguments: agentArguments)
            var agentID: String?
            for _ in 0..<300 where agentID == nil {
                try await Task.sleep(for: .milliseconds(100))
                agentID = try await api.agents().first { $0.status == .online }?.id
            }
            let id = try #require(agentID, "the agent came online")
            #expect(try await api.approveAgent(id).approvalStatus == .approved)
            return Installation(server: server, flags: flags, api: api, agent: agent, agentID: id)
        }

        /// Polls (≤ 20 s) until the sandbox is in `state`; returns it as last seen.
        @discardableResult
        func wait(_ id: String, for state: GlobalStacksClient.Sandbox.StatePayload) async throws -> GlobalStacksClient.Sandbox {
            var sandbox = try await api.sandbox(id)
            for _ in 0..<200 where sandbox.state != state {
                try await Task.sleep(for: .milliseconds(100))
                sandbox = try await api.sandbox(id)
            }
            if sandbox.state != state { Issue.record("sandbox \(id) did not become \(state): \(sandbox)") }
            return sandbox
        }

        func create(_ command: [String], resources: GlobalStacksClient.SandboxResources = .init(cpu: "250m", memory: "256Mi")) async throws -> String {
            try await api.createSandbox(command: command, resources: resources, labels: ["suite": "e2e"]).id
        }
    }

    /// Writes a line when it starts, then a tick every 100 ms: a frozen sandbox stops ticking.
    static let ticking = ["/bin/sh", "-c", "echo started >> starts.log; while :; do date +%s%N > tick.new; mv tick.new tick; sleep 0.1; done"]

    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func aSandboxRunsHibernatesWakesAndStops(_ engine: TestEngine) async throws {
        let installation = try await Installation.start(engine)
        let id = try await installation.create(Self.ticking)
        try await installation.wait(id, for: .running)
        #expect(try await installation.agent.awaitSandboxFile(id, "starts.log") == "started\n", "the process really runs, once")
        #expect(try await installation.agent.awaitSandboxFile(id, "tick") != nil)

        _ = try await installation.api.hibernateSandbox(id)  // accepted (202); the agent does it
        try await installation.wait(id, for: .hibernated)
        let frozen = installation.agent.sandboxFile(id, "tick")
        try await Task.sleep(for: .milliseconds(400))
        #expect(installation.agent.sandboxFile(id, "tick") == frozen, "a hibernated sandbox does not run")

        _ = try await installation.api.wakeSandbox(id)
        try await installation.wait(id, for: .running)
        try await Task.sleep(for: .milliseconds(400))
        #expect(installation.agent.sandboxFile(id, "tick") != frozen, "a woken sandbox runs again")

        _ = try await installation.api.stopSandbox(id)
        try await installation.wait(id, for: .stopped)
        let commands = try await installation.api.sandboxCommands(id)
        #expect(commands.map(\.action.rawValue) == ["start_session", "hibernate_session", "wake_session", "stop_session"])
        #expect(commands.allSatisfy { $0.status == .completed && $0.completedAt != nil }, "\(commands)")
        #expect(installation.agent.sandboxFile(id, "starts.log") == "started\n")

        do {
            _ = try await installation.api.wakeSandbox(id)
            Issue.record("a stopped sandbox woke")
        } catch let error as GlobalStacksClientError {
            #expect(error.status == 409, "a stopped sandbox cannot wake: \(error)")
        }
        _ = try await installation.api.deleteSandbox(id)
        #expect(try await installation.api.sandbox(id).state == .terminated)
    }

    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func aProcessThatExitsIsReportedWithItsStatus(_ engine: TestEngine) async throws {
        let installation = try await Installation.start(engine)
        let id = try await installation.create(["/bin/sh", "-c", "sleep 0.3; exit 3"])
        let failed = try await installation.wait(id, for: .failed)
        #expect(failed.exitStatus == 3)
        #expect(failed.lastError?.contains("status 3") == true, "\(failed)")

        // Why a sandbox failed is in its own words, in lastError and in its output, kept while the sandbox exists.
        let missing = try await installation.create(["/bin/nope"])
        let cannotStart = try await installation.wait(missing, for: .failed)
        #expect(cannotStart.lastError?.contains("/bin/nope: No such file or directory") == true, "\(cannotStart)")
        #expect(try await installation.api.output(missing).contains("/bin/nope: No such file or directory"))
        let finished = try await installation.create(["/bin/sh", "-c", "echo done; exit 0"])
        let done = try await installation.wait(finished, for: .stopped)
        #expect(done.exitStatus == 0 && done.lastError == nil, "\(done)")
        #expect(try await installation.api.output(finished) == "done\n")
        _ = try await installation.api.deleteSandbox(finished)
        do {
            _ = try await installation.api.output(finished)
            Issue.record("a deleted sandbox's output was read")
        } catch let error as GlobalStacksClientError {
            #expect(error.status == 409 || error.status == 404, "\(error)")
        }

        // Files each under the storage asked for, together over it: the agent's check of its directory ends it.
        let greedy = try await installation.create(
            ["/bin/sh", "-c", "for i in 1 2 3; do head -c 600000 /dev/zero > part$i; done; sleep 60"],
            resources: .init(cpu: "250m", memory: "256Mi", storage: "1Mi")
        )
        let stopped = try await installation.wait(greedy, for: .failed)
        #expect(stopped.lastError?.contains("more than its storage limit of 1Mi") == true, "\(stopped)")
    }

    /// The control plane is SIGKILLed right after it stored the start command (before or while sending it); the
    /// next process on the same database delivers it, and the sandbox starts exactly once.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func killingTheServerMidDispatchLosesNothingAndDuplicatesNothing(_ engine: TestEngine) async throws {
        let installation = try await Installation.start(engine)
        let id = try await installation.create(Self.ticking)
        try await installation.server.stop(signal: SIGKILL)
        let restarted = try await ServerProcess(installation.flags, port: installation.server.port)
        // The same client: sessions live in the database, and the new process listens on the same port.
        let sandbox = try await installation.wait(id, for: .running)
        #expect(sandbox.state == .running, "\(sandbox)")
        let commands = try await installation.api.sandboxCommands(id)
        #expect(commands.count == 1 && commands.first?.status == .completed, "\(commands)")
        withExtendedLifetime(restarted) {}
        #expect(try await installation.agent.awaitSandboxFile(id, "starts.log") == "started\n", "started exactly once, whatever the delivery count")
    }

    /// An agent killed with its sandbox running comes back without it (the process died with the agent); its
    /// first heartbeat lists what it holds, and the control plane fails the lost sandbox with the reason.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func anAgentThatRestartedReportsTheSandboxesItLost(_ engine: TestEngine) async throws {
        let installation = try await Installation.start(engine)
        let id = try await installation.create(Self.ticking)
        try await installation.wait(id, for: .running)
        installation.agent.kill()
        let restarted = try AgentProcess(server: installation.server, name: "rack-1", credentialsFile: installation.agent.credentialsFile, token: nil)
        defer { restarted.kill() }
        let failed = try await installation.wait(id, for: .failed)
        #expect(failed.lastError?.contains("restarted") == true, "\(failed)")
    }

    /// 20 concurrent creates through the API against a member quota of 5 sandboxes: exactly 5 are admitted, and
    /// the usage endpoint agrees.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func twentyConcurrentCreatesAgainstAQuotaOfFiveAdmitFive(_ engine: TestEngine) async throws {
        let installation = try await Installation.start(engine)
        let me = try #require(try await installation.api.session().user?.id)
        try await installation.api.setMemberQuota(me, maxSessions: 5)
        let outcomes = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do {
                        _ = try await installation.api.createSandbox(command: ["sleep", "600"], resources: .init(cpu: "100m", memory: "64Mi"))
                        return (201, "")
                    } catch let error as GlobalStacksClientError {
                        return (error.status, error.message)
                    }
                }
            }
            return try await group.reduce(into: [(Int, String)]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0.0 == 201 }.count == 5, "\(outcomes)")
        #expect(outcomes.filter { $0.0 != 201 }.allSatisfy { $0 == (409, "Your user quota allows 5 sandboxes; 5 are running.") }, "\(outcomes)")
        let mine = try await installation.api.quotaUsage().first { $0.scope == .user }?.quota
        #expect(mine?.usedSessions == 5 && mine?.maxSessions == 5, "\(String(describing: mine))")
    }

    /// `gstacks server --embedded-agent` alone runs sandboxes: its own agent, in the managed cluster `local`.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"))
    func theEmbeddedAgentRunsSandboxesWithoutASecondProcess() async throws {
        let data = LifecycleTests.dataDirectory()
        let server = try await ServerProcess(["--data-dir", data, "--bcrypt-cost", "4", "--log-level", "warning", "--embedded-agent"], environment: LifecycleTests.admin)
        let api = try await server.client.signIn(email: "root@example.com", password: "root-password-123")
        try await api.activateTenant(try await api.createTenant(name: "Prod", slug: "prod").id)
        var created: GlobalStacksClient.Sandbox?
        for _ in 0..<300 where created == nil {  // refused (409) until the embedded agent is online
            created = try? await api.createSandbox(command: ["/bin/sh", "-c", "echo hi > hello.txt; sleep 600"])
            if created == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let id = try #require(created?.id, "the embedded agent came online")
        var state = try await api.sandbox(id).state
        for _ in 0..<300 where state != .running {
            try await Task.sleep(for: .milliseconds(100))
            state = try await api.sandbox(id).state
        }
        #expect(state == .running)
        #expect(try await api.clusters().contains { $0.slug == "local" && $0.ownership == .globalstacksManaged })
        let attributes = try FileManager.default.attributesOfItem(atPath: data + "/embedded-agent/agent.json")
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        _ = try await api.stopSandbox(id)
        try await server.stop(signal: SIGTERM)
        #expect(!server.process.isRunning, "the embedded agent stops with the server")
    }
}
