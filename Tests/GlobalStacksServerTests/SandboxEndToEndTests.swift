import Foundation
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
        let cookie: String
        let agent: AgentProcess
        let agentID: String

        static func start(_ engine: TestEngine) async throws -> Installation {
            let data = LifecycleTests.dataDirectory()
            var flags = ["--data-dir", data, "--bcrypt-cost", "4", "--log-level", "warning", "--command-deadline-seconds", "60"]
            if engine == .postgres {
                flags += ["--database-url", try await TestDatabase.make(.postgres).location]
            }
            let server = try await ServerProcess(flags, environment: LifecycleTests.admin)
            let cookie = try await server.signIn("root@example.com", "root-password-123")
            let tenant = try #require(try await server.request("POST", "/v1/tenants", json: #"{"name":"Prod","slug":"prod"}"#, cookie: cookie).json["id"] as? String)
            try await server.request("POST", "/v1/tenants/\(tenant)/activate", cookie: cookie)
            let cluster = try #require(try await server.request("POST", "/v1/clusters", json: #"{"name":"Rack","ownership":"byo"}"#, cookie: cookie).json["id"] as? String)
            let token = try #require(try await server.request("POST", "/v1/clusters/\(cluster)/provisioning-tokens", json: "{}", cookie: cookie).json["token"] as? String)
            let agent = try AgentProcess(server: server, name: "rack-1", credentialsFile: data + "/agent/agent.json", token: token)
            var agentID: String?
            for _ in 0..<300 where agentID == nil {
                try await Task.sleep(for: .milliseconds(100))
                let agents = try await server.request("GET", "/v1/agents", cookie: cookie).json["items"] as? [[String: Any]] ?? []
                agentID = agents.first(where: { $0["status"] as? String == "online" })?["id"] as? String
            }
            let id = try #require(agentID, "the agent came online")
            #expect(try await server.request("POST", "/v1/agents/\(id)/approve", cookie: cookie).status == 200)
            return Installation(server: server, flags: flags, cookie: cookie, agent: agent, agentID: id)
        }

        func sandbox(_ id: String) async throws -> [String: Any] {
            try await server.request("GET", "/v1/sandboxes/\(id)", cookie: cookie).json
        }

        /// Polls (≤ 20 s) until the sandbox is in `state`; returns it as last seen.
        @discardableResult
        func wait(_ id: String, for state: String) async throws -> [String: Any] {
            var sandbox: [String: Any] = [:]
            for _ in 0..<200 {
                sandbox = try await self.sandbox(id)
                if sandbox["state"] as? String == state { return sandbox }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("sandbox \(id) did not become \(state): \(sandbox)")
            return sandbox
        }

        func commands(_ id: String) async throws -> [[String: Any]] {
            try await server.request("GET", "/v1/sandboxes/\(id)/commands", cookie: cookie).json["items"] as? [[String: Any]] ?? []
        }

        func create(_ command: [String], resources: [String: String] = ["cpu": "250m", "memory": "256Mi"]) async throws -> String {
            let body = try JSONSerialization.data(withJSONObject: ["command": command, "resources": resources, "labels": ["suite": "e2e"]])
            let created = try await server.request("POST", "/v1/sandboxes", json: String(decoding: body, as: UTF8.self), cookie: cookie)
            #expect(created.status == 201, "\(created.json)")
            return try #require(created.json["id"] as? String)
        }
    }

    /// Writes a line when it starts, then a tick every 100 ms: a frozen sandbox stops ticking.
    static let ticking = ["/bin/sh", "-c", "echo started >> starts.log; while :; do date +%s%N > tick.new; mv tick.new tick; sleep 0.1; done"]

    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func aSandboxRunsHibernatesWakesAndStops(_ engine: TestEngine) async throws {
        let installation = try await Installation.start(engine)
        let id = try await installation.create(Self.ticking)
        try await installation.wait(id, for: "running")
        #expect(try await installation.agent.awaitSandboxFile(id, "starts.log") == "started\n", "the process really runs, once")
        #expect(try await installation.agent.awaitSandboxFile(id, "tick") != nil)

        #expect(try await installation.server.request("POST", "/v1/sandboxes/\(id)/hibernate", cookie: installation.cookie).status == 202)
        try await installation.wait(id, for: "hibernated")
        let frozen = installation.agent.sandboxFile(id, "tick")
        try await Task.sleep(for: .milliseconds(400))
        #expect(installation.agent.sandboxFile(id, "tick") == frozen, "a hibernated sandbox does not run")

        #expect(try await installation.server.request("POST", "/v1/sandboxes/\(id)/wake", cookie: installation.cookie).status == 202)
        try await installation.wait(id, for: "running")
        try await Task.sleep(for: .milliseconds(400))
        #expect(installation.agent.sandboxFile(id, "tick") != frozen, "a woken sandbox runs again")

        #expect(try await installation.server.request("POST", "/v1/sandboxes/\(id)/stop", cookie: installation.cookie).status == 202)
        try await installation.wait(id, for: "stopped")
        let commands = try await installation.commands(id)
        #expect(commands.map { $0["action"] as? String } == ["start_session", "hibernate_session", "wake_session", "stop_session"])
        #expect(commands.allSatisfy { $0["status"] as? String == "completed" && $0["completedAt"] != nil }, "\(commands)")
        #expect(installation.agent.sandboxFile(id, "starts.log") == "started\n")

        #expect(try await installation.server.request("POST", "/v1/sandboxes/\(id)/wake", cookie: installation.cookie).status == 409, "a stopped sandbox cannot wake")
        #expect(try await installation.server.request("DELETE", "/v1/sandboxes/\(id)", cookie: installation.cookie).status == 204)
        #expect(try await installation.sandbox(id)["state"] as? String == "terminated")
    }

    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func aProcessThatExitsIsReportedWithItsStatus(_ engine: TestEngine) async throws {
        let installation = try await Installation.start(engine)
        let id = try await installation.create(["/bin/sh", "-c", "sleep 0.3; exit 3"])
        let failed = try await installation.wait(id, for: "failed")
        #expect(failed["exitStatus"] as? Int == 3)
        #expect((failed["lastError"] as? String)?.contains("status 3") == true, "\(failed)")

        // Files each under the storage asked for, together over it: the agent's check of its directory ends it.
        let greedy = try await installation.create(
            ["/bin/sh", "-c", "for i in 1 2 3; do head -c 600000 /dev/zero > part$i; done; sleep 60"],
            resources: ["cpu": "250m", "memory": "256Mi", "storage": "1Mi"]
        )
        let stopped = try await installation.wait(greedy, for: "failed")
        #expect((stopped["lastError"] as? String)?.contains("more than its storage limit of 1Mi") == true, "\(stopped)")
    }

    /// The control plane is SIGKILLed right after it stored the start command (before or while sending it); the
    /// next process on the same database delivers it, and the sandbox starts exactly once.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func killingTheServerMidDispatchLosesNothingAndDuplicatesNothing(_ engine: TestEngine) async throws {
        let installation = try await Installation.start(engine)
        let id = try await installation.create(Self.ticking)
        try await installation.server.stop(signal: SIGKILL)
        let restarted = try await ServerProcess(installation.flags, port: installation.server.port)
        let cookie = installation.cookie  // sessions live in the database
        var sandbox: [String: Any] = [:]
        for _ in 0..<200 where sandbox["state"] as? String != "running" {
            try await Task.sleep(for: .milliseconds(100))
            sandbox = try await restarted.request("GET", "/v1/sandboxes/\(id)", cookie: cookie).json
        }
        #expect(sandbox["state"] as? String == "running", "\(sandbox)")
        let commands = try await restarted.request("GET", "/v1/sandboxes/\(id)/commands", cookie: cookie).json["items"] as? [[String: Any]] ?? []
        #expect(commands.count == 1 && commands.first?["status"] as? String == "completed", "\(commands)")
        #expect(try await installation.agent.awaitSandboxFile(id, "starts.log") == "started\n", "started exactly once, whatever the delivery count")
    }

    /// An agent killed with its sandbox running comes back without it (the process died with the agent); its
    /// first heartbeat lists what it holds, and the control plane fails the lost sandbox with the reason.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func anAgentThatRestartedReportsTheSandboxesItLost(_ engine: TestEngine) async throws {
        let installation = try await Installation.start(engine)
        let id = try await installation.create(Self.ticking)
        try await installation.wait(id, for: "running")
        installation.agent.kill()
        let restarted = try AgentProcess(server: installation.server, name: "rack-1", credentialsFile: installation.agent.credentialsFile, token: nil)
        defer { restarted.kill() }
        let failed = try await installation.wait(id, for: "failed")
        #expect((failed["lastError"] as? String)?.contains("restarted") == true, "\(failed)")
    }

    /// 20 concurrent creates through the API against a member quota of 5 sandboxes: exactly 5 are admitted, and
    /// the usage endpoint agrees.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func twentyConcurrentCreatesAgainstAQuotaOfFiveAdmitFive(_ engine: TestEngine) async throws {
        let installation = try await Installation.start(engine)
        let session = try await installation.server.request("GET", "/v1/auth/session", cookie: installation.cookie).json
        let me = try #require((session["user"] as? [String: Any])?["id"] as? String, "\(session)")
        let quota = try await installation.server.request("PUT", "/v1/organizations/current/members/\(me)/quota", json: #"{"maxSessions":5}"#, cookie: installation.cookie)
        #expect(quota.status == 200 && quota.json["maxSessions"] as? Int == 5, "\(quota.json)")
        let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for _ in 0..<20 {
                group.addTask {
                    let reply = try await installation.server.request(
                        "POST", "/v1/sandboxes", json: #"{"command":["sleep","600"],"resources":{"cpu":"100m","memory":"64Mi"}}"#, cookie: installation.cookie
                    )
                    return (reply.status, reply.json["message"] as? String ?? "")
                }
            }
            return try await group.reduce(into: [(Int, String)]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0.0 == 201 }.count == 5, "\(statuses)")
        #expect(statuses.filter { $0.0 == 409 }.allSatisfy { $0.1 == "Your user quota allows 5 sandboxes; 5 are running." }, "\(statuses)")
        let usage = try await installation.server.request("GET", "/v1/quotas/usage", cookie: installation.cookie).json["items"] as? [[String: Any]] ?? []
        let mine = usage.first { $0["scope"] as? String == "user" }?["quota"] as? [String: Any]
        #expect(mine?["usedSessions"] as? Int == 5 && mine?["maxSessions"] as? Int == 5, "\(usage)")
    }

    /// `gstacks server --embedded-agent` alone runs sandboxes: its own agent, in the managed cluster `local`.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"))
    func theEmbeddedAgentRunsSandboxesWithoutASecondProcess() async throws {
        let data = LifecycleTests.dataDirectory()
        let server = try await ServerProcess(["--data-dir", data, "--bcrypt-cost", "4", "--log-level", "warning", "--embedded-agent"], environment: LifecycleTests.admin)
        let cookie = try await server.signIn("root@example.com", "root-password-123")
        let tenant = try #require(try await server.request("POST", "/v1/tenants", json: #"{"name":"Prod","slug":"prod"}"#, cookie: cookie).json["id"] as? String)
        try await server.request("POST", "/v1/tenants/\(tenant)/activate", cookie: cookie)
        var created = try await server.request("POST", "/v1/sandboxes", json: #"{"command":["/bin/sh","-c","echo hi > hello.txt; sleep 600"]}"#, cookie: cookie)
        for _ in 0..<300 where created.status == 409 {  // until the embedded agent is online
            try await Task.sleep(for: .milliseconds(100))
            created = try await server.request("POST", "/v1/sandboxes", json: #"{"command":["/bin/sh","-c","echo hi > hello.txt; sleep 600"]}"#, cookie: cookie)
        }
        let id = try #require(created.json["id"] as? String, "\(created.json)")
        var state = ""
        for _ in 0..<300 where state != "running" {
            try await Task.sleep(for: .milliseconds(100))
            state = try await server.request("GET", "/v1/sandboxes/\(id)", cookie: cookie).json["state"] as? String ?? ""
        }
        #expect(state == "running")
        let clusters = try await server.request("GET", "/v1/clusters", cookie: cookie).json["items"] as? [[String: Any]] ?? []
        #expect(clusters.contains { $0["slug"] as? String == "local" && $0["ownership"] as? String == "globalstacks-managed" })
        let attributes = try FileManager.default.attributesOfItem(atPath: data + "/embedded-agent/agent.json")
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        #expect(try await server.request("POST", "/v1/sandboxes/\(id)/stop", cookie: cookie).status == 202)
        try await server.stop(signal: SIGTERM)
        #expect(!server.process.isRunning, "the embedded agent stops with the server")
    }
}
