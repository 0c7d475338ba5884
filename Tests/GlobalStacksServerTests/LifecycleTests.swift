import Foundation
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import Testing

/// The real `gstacks` binary: starts on an empty data directory, serves, stops cleanly on SIGTERM, and loses no
/// operation run when it is killed mid-run.
@Suite("gstacks server process")
struct LifecycleTests {
    static let admin = ["GSTACKS_ADMIN_EMAIL": "root@example.com", "GSTACKS_ADMIN_PASSWORD": "root-password-123"]

    static func dataDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-lifecycle-\(UUID().uuidString)").path
    }

    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"))
    func servesThenShutsDownGracefullyOnSIGTERM() async throws {
        let data = Self.dataDirectory()
        let server = try await ServerProcess(["--data-dir", data, "--bcrypt-cost", "4", "--log-level", "warning"])
        #expect(FileManager.default.fileExists(atPath: data + "/gstacks.sqlite"), "the data directory was created")
        try await server.stop(signal: SIGTERM)
        #expect(!server.process.isRunning, "stopped within 5 seconds of SIGTERM")
        #expect(server.process.terminationReason == .exit && server.process.terminationStatus == 0)
        #expect(server.printed.contains("gss_"), "an empty installation prints a setup token")
    }

    /// A server with test operations on `engine`, signed in, with a tenant and a running 3-second run.
    static func serverWithRunningRun(_ engine: TestEngine) async throws -> (server: ServerProcess, flags: [String], api: GlobalStacksClient, runID: Int) {
        var flags = ["--data-dir", dataDirectory(), "--bcrypt-cost", "4", "--log-level", "warning", "--enable-test-operations", "--operation-lease-seconds", "2"]
        if engine == .postgres {
            flags += ["--database-url", try await TestDatabase.make(.postgres).location]
        }
        let server = try await ServerProcess(flags, environment: admin)
        let api = try await server.client.signIn(email: "root@example.com", password: "root-password-123")
        try await api.activateTenant(try await api.createTenant(name: "Prod", slug: "prod").id)
        let runID = try #require(try await api.startOperation("test.noop", targetContext: ["sleepMs": "3000"]).runID)
        var status = ""
        for _ in 0..<100 where status != "running" {
            status = try await api.operationRun(runID).value1.executionStatus
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(status == "running")
        return (server, flags, api, runID)
    }

    /// Polls the run until it completes (≤ 15 s); `api` reaches whichever process now listens on the port.
    static func completedRun(_ api: GlobalStacksClient, _ runID: Int) async throws -> GlobalStacksClient.OperationRun {
        var run = try await api.operationRun(runID)
        for _ in 0..<150 where run.value1.executionStatus != "completed" {
            try await Task.sleep(for: .milliseconds(100))
            run = try await api.operationRun(runID)
        }
        return run
    }

    /// A worker killed (SIGKILL) while it runs an operation: after its lease expires the next server process
    /// claims the run again and finishes it.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func aRunHeldByAKilledWorkerIsRetriedAfterItsLeaseExpires(engine: TestEngine) async throws {
        let (first, flags, api, runID) = try await Self.serverWithRunningRun(engine)
        try await first.stop(signal: SIGKILL)
        let second = try await ServerProcess(flags, environment: Self.admin, port: first.port)
        let run = try await Self.completedRun(api, runID)
        #expect(run.value1.outcome == "succeeded", "\(run)")
        #expect(run.value2.attempts == 2, "the killed attempt counted, the second finished")
        try await second.stop(signal: SIGTERM)
    }

    /// SIGTERM while a run executes: the server stops promptly and hands the run back without counting the attempt,
    /// so the next process runs it at once.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func aRunInFlightAtShutdownIsHandedBack(engine: TestEngine) async throws {
        let (first, flags, api, runID) = try await Self.serverWithRunningRun(engine)
        try await first.stop(signal: SIGTERM)
        #expect(!first.process.isRunning && first.process.terminationStatus == 0, "stopped cleanly within 5 seconds")
        let second = try await ServerProcess(flags, environment: Self.admin, port: first.port)
        let run = try await Self.completedRun(api, runID)
        #expect(run.value1.outcome == "succeeded", "\(run)")
        #expect(run.value2.attempts == 1, "the interrupted attempt was given back, not counted")
        try await second.stop(signal: SIGTERM)
    }

    /// A real `gstacks agent` process: enrolls with a provisioning token, keeps its key in a 0600 file, shows up
    /// online; killed, it goes offline; started again without the token, it reuses its key.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"))
    func aRealAgentEnrollsConnectsAndComesBack() async throws {
        let server = try await ServerProcess(["--data-dir", Self.dataDirectory(), "--bcrypt-cost", "4", "--log-level", "warning"], environment: Self.admin)
        let api = try await server.client.signIn(email: "root@example.com", password: "root-password-123")
        try await api.activateTenant(try await api.createTenant(name: "Prod", slug: "prod").id)
        let token = try await api.createProvisioningToken(cluster: try await api.createCluster(name: "Rack").id)
        let credentials = Self.dataDirectory() + "/agent.json"

        func waitFor(_ status: GlobalStacksClient.Agent.StatusPayload) async throws -> [GlobalStacksClient.Agent] {
            var list: [GlobalStacksClient.Agent] = []
            for _ in 0..<100 where list.first?.status != status {
                try await Task.sleep(for: .milliseconds(100))
                list = try await api.agents()
            }
            return list
        }

        let first = try AgentProcess(server: server, name: "rack-1", credentialsFile: credentials, token: token)
        let online = try await waitFor(.online)
        #expect(online.count == 1 && online.first?.status == .online && online.first?.lastHeartbeat != nil, "\(online)")
        let attributes = try FileManager.default.attributesOfItem(atPath: credentials)
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "only the agent's user can read its key")
        #expect(!(try String(contentsOfFile: credentials, encoding: .utf8)).contains(token), "the provisioning token is not kept")
        first.kill()
        #expect(try await waitFor(.offline).first?.status == .offline)

        let second = try AgentProcess(server: server, name: "rack-1", credentialsFile: credentials, token: nil)
        defer { second.kill() }
        let back = try await waitFor(.online)
        #expect(back.count == 1 && back.first?.id == online.first?.id, "the same agent, with its saved key")
    }
}
