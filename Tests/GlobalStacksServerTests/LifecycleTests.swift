import Foundation
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

    /// A worker killed (SIGKILL) while it runs an operation: after its lease expires the next server process
    /// claims the run again and finishes it.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"))
    func aRunHeldByAKilledWorkerIsRetriedAfterItsLeaseExpires() async throws {
        let flags = ["--data-dir", Self.dataDirectory(), "--bcrypt-cost", "4", "--log-level", "warning", "--enable-test-operations", "--operation-lease-seconds", "2"]
        let first = try await ServerProcess(flags, environment: Self.admin)
        let cookie = try await first.signIn("root@example.com", "root-password-123")
        let tenant = try #require(try await first.request("POST", "/v1/tenants", json: #"{"name":"Prod","slug":"prod"}"#, cookie: cookie).json["id"] as? String)
        #expect(try await first.request("POST", "/v1/tenants/\(tenant)/activate", cookie: cookie).status == 200)
        let started = try await first.request("POST", "/v1/operations/test.noop/start", json: #"{"targetContext":{"sleepMs":3000}}"#, cookie: cookie)
        let runID = try #require((started.json["run"] as? [String: Any])?["id"] as? Int)
        var status = ""
        for _ in 0..<100 where status != "running" {
            status = try await first.request("GET", "/v1/operation-runs/\(runID)", cookie: cookie).json["executionStatus"] as? String ?? ""
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(status == "running")
        try await first.stop(signal: SIGKILL)

        let second = try await ServerProcess(flags, environment: Self.admin)
        var run: [String: Any] = [:]
        for _ in 0..<150 where run["executionStatus"] as? String != "completed" {
            try await Task.sleep(for: .milliseconds(100))
            run = try await second.request("GET", "/v1/operation-runs/\(runID)", cookie: cookie).json
        }
        #expect(run["outcome"] as? String == "succeeded", "\(run)")
        #expect(run["attempts"] as? Int == 2, "the killed attempt counted, the second finished")
        try await second.stop(signal: SIGTERM)
    }
}
