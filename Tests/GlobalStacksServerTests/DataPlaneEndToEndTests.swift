import Foundation
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import Testing

/// Data-plane instances end to end: the PostgreSQL example extension published and installed through the API, an
/// instance created through the public operations, provisioned by the extension on a real agent and run there as a
/// confined service with Debian's PostgreSQL, reached by a real client (psql) from a sandbox of the same tenant, kept
/// through an agent restart and a killed service, and deleted with its data.
@Suite("Data-plane instances end to end", .serialized)
struct DataPlaneEndToEndTests {
    typealias Installation = SandboxEndToEndTests.Installation

    static let enabled = BrokerTests.enabled && FileManager.default.fileExists(atPath: "/usr/lib/postgresql")

    struct Setup {
        let installation: Installation
        let api: LiveHTTP
    }

    static func setUp(_ engine: TestEngine) async throws -> Setup {
        let installation = try await Installation.start(engine)
        let api = try await LiveHTTP.signIn(installation.server)
        try await api.activateTenant(slug: "prod")
        let example = try await ExampleExtension.publish(api, example: "postgresql")
        try await example.install(api, settings: "{}")
        return Setup(installation: installation, api: api)
    }

    /// The instance once `done` holds for it (≤ 150 s: the first start runs initdb).
    static func instance(_ api: LiveHTTP, _ id: String, until done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        for _ in 0..<600 {
            last = try await api.ok("GET", "/v1/data-plane/instances/\(id)")
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("instance \(id) never got there: \(last)")
        return last
    }

    /// Runs one SQL statement with psql in `sandbox` against `endpoint`: its rows, or what went wrong (≤ 20 tries: a
    /// restarted service takes a moment to accept connections).
    static func sql(_ installation: Installation, _ sandbox: String, _ endpoint: String, _ statement: String, tries: Int = 20) async throws -> String {
        var failure = ""
        for _ in 0..<tries {
            let result = try await installation.api.exec(sandbox, ["psql", endpoint, "-qtAc", statement], timeoutSeconds: 30)
            if result.exitCode == 0 { return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
            failure = "psql failed: \(result.stderr)"
            try await Task.sleep(for: .milliseconds(500))
        }
        return failure
    }

    /// `body`'s value once it stops failing (≤ 30 s): an agent that just started takes a moment to be online.
    static func onceOnline<Value>(_ body: () async throws -> Value) async throws -> Value {
        for _ in 0..<120 {
            if let value = try? await body() { return value }
            try await Task.sleep(for: .milliseconds(250))
        }
        return try await body()
    }

    @Test(.enabled(if: enabled, "needs the built gstacks, bubblewrap, root and PostgreSQL"), arguments: TestEngine.available)
    func aPostgreSQLInstanceKeepsItsDataThroughRestartsAndGoesWithItsDelete(_ engine: TestEngine) async throws {
        let setup = try await Self.setUp(engine)
        let api = setup.api, installation = setup.installation
        let created = try await api.json("POST", "/v1/data-plane/instances", """
            {"extensionKey":"example.postgresql","hostId":"\(installation.agentID)","settings":{"maxConnections":20}}
            """)
        try #require(created.status == 201, "\(created.status) \(created.message)")
        let id = try #require(created.json["id"] as? String)
        #expect(created.json["state"] as? String == "provisioning" && created.json["provider"] as? String == "postgresql")
        #expect(created.json["hostId"] as? String == installation.agentID && created.json["extensionInstallId"] is String)
        let healthy = try await Self.instance(api, id) { $0["state"] as? String != "provisioning" }
        try #require(healthy["state"] as? String == "healthy", "\(healthy)")
        let endpoint = try #require(healthy["endpoint"] as? String)
        #expect(endpoint == "postgresql://postgres@/postgres?host=/run/globalstacks/data-plane/\(id)")
        #expect((healthy["effectiveSettings"] as? [String: Any])?["maxConnections"] as? Int == 20, "\(healthy)")
        #expect((healthy["health"] as? [String: Any])?["passed"] as? Bool == true, "\(healthy)")

        // A sandbox of the tenant writes a row through the endpoint.
        let first = try await installation.create(["/bin/sleep", "600"])
        _ = try await installation.wait(first, for: .running)
        #expect(try await Self.sql(installation, first, endpoint, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('through restarts') RETURNING v") == "through restarts")

        // The agent restarts: it starts the service again by itself, and the row is there.
        installation.agent.kill()
        let second = try AgentProcess(server: installation.server, name: "rack-1", credentialsFile: installation.agent.credentialsFile, token: nil)
        let afterRestart = try await Self.onceOnline { try await installation.create(["/bin/sleep", "600"]) }
        _ = try await installation.wait(afterRestart, for: .running)
        #expect(try await Self.sql(installation, afterRestart, endpoint, "SELECT v FROM kept") == "through restarts")

        // The service's process is killed: the agent restarts it with backoff, the instance says so, and the row stays.
        _ = try await installation.api.exec(afterRestart, ["psql", endpoint, "-tAc", "COPY (SELECT 1) TO PROGRAM 'kill -9 $(head -1 /data/pgdata/postmaster.pid)'"])
        let restarted = try await Self.instance(api, id) { (($0["health"] as? [String: Any])?["restarts"] as? Int ?? 0) >= 1 && $0["state"] as? String == "healthy" }
        #expect(restarted["state"] as? String == "healthy", "\(restarted)")
        #expect(try await Self.sql(installation, afterRestart, endpoint, "SELECT v FROM kept") == "through restarts")

        // Another tenant does not see it.
        let other = try await LiveHTTP.signIn(installation.server)
        try await other.ok("POST", "/v1/tenants", #"{"name":"Other","slug":"other"}"#)
        try await other.activateTenant(slug: "other")
        #expect(try await other.call("GET", "/v1/data-plane/instances/\(id)").status == 404)
        #expect(try await other.call("DELETE", "/v1/data-plane/instances/\(id)").status == 404)
        #expect((try await other.ok("GET", "/v1/data-plane/instances")["items"] as? [Any])?.isEmpty == true)

        // Deleted: draining, then deleted, with its data gone from the host.
        let draining = try await api.ok("DELETE", "/v1/data-plane/instances/\(id)")
        #expect(draining["state"] as? String == "draining")
        let deleted = try await Self.instance(api, id) { $0["state"] as? String == "deleted" }
        #expect(deleted["state"] as? String == "deleted" && deleted["endpoint"] == nil, "\(deleted)")
        let serviceDirectory = URL(fileURLWithPath: installation.agent.credentialsFile).deletingLastPathComponent()
            .appendingPathComponent("data-plane/services/\(id)").path
        #expect(!FileManager.default.fileExists(atPath: serviceDirectory), "the data directory went with the instance")
        #expect(try await Self.sql(installation, afterRestart, endpoint, "SELECT 1", tries: 1).contains("No such file or directory"))
        withExtendedLifetime(second) {}
    }

    @Test(.enabled(if: enabled, "needs the built gstacks, bubblewrap, root and PostgreSQL"))
    func anAgentKilledWhileAnInstanceProvisionsEndsItHealthyOrFailedWithTheReason() async throws {
        let setup = try await Self.setUp(.sqlite)
        let api = setup.api, installation = setup.installation
        let created = try await api.ok("POST", "/v1/data-plane/instances", #"{"extensionKey":"example.postgresql","hostId":"\#(installation.agentID)"}"#)
        let id = try #require(created["id"] as? String)
        try await Task.sleep(for: .milliseconds(300))
        installation.agent.kill()
        try await Task.sleep(for: .seconds(2))
        let returned = try AgentProcess(server: installation.server, name: "rack-1", credentialsFile: installation.agent.credentialsFile, token: nil)
        let settled = try await Self.instance(api, id) { ["healthy", "failed"].contains($0["state"] as? String) }
        switch settled["state"] as? String {
        case "healthy":
            #expect(settled["endpoint"] is String)
        case "failed":
            #expect(((settled["metadata"] as? [String: Any])?["stateReason"] as? String)?.isEmpty == false, "a failure says why: \(settled)")
        default:
            Issue.record("left half-created: \(settled)")
        }
        let run = try await api.ok("GET", "/v1/operation-runs/\(try #require((created["metadata"] as? [String: Any])?["provisionRunId"] as? String))")
        #expect(run["operationType"] as? String == "data-plane.instance.provision", "the run keeps the record: \(run)")
        withExtendedLifetime(returned) {}
    }
}
