import Foundation
import Testing

/// The real `e2b` Python SDK (2.63.0, from PyPI) against a live server with its embedded agent in bubblewrap, with
/// only the SDK's documented variables set: every scenario of `scripts/lib/e2b_sdk.py` (commands, background
/// processes, a terminal, files, watching, ports, lifecycle, refusals, a revoked key, the async SDK).
@Suite("E2B SDK against a live server", .serialized)
struct E2BSDKTests {
    static let script = PythonScript("e2b_sdk.py")

    /// The SDK's venv exists (the test command makes it; CI requires it).
    static var isAvailable: Bool {
        let check = script.runBlocking(["check"])
        if check.status == 0 { return true }
        if ProcessInfo.processInfo.environment["GSTACKS_REQUIRE_E2B"] == "1" {
            fatalError("GSTACKS_REQUIRE_E2B=1 but the e2b SDK is not installed: \(check.output)")
        }
        return false
    }

    struct Outcome: Decodable {
        let scenario: String
        let ok: Bool
        let error: String?
        let trace: String?
    }

    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"),
          .enabled(if: isAvailable, "needs the e2b SDK (python3 scripts/lib/e2b_sdk.py setup)"))
    func everyScenarioPasses() async throws {
        let server = try await ServerProcess(
            ["--data-dir", LifecycleTests.dataDirectory(), "--bcrypt-cost", "4", "--log-level", "warning", "--embedded-agent", "--sandbox-domain", "sandboxes.test"],
            environment: LifecycleTests.admin
        )
        let base = "http://127.0.0.1:\(server.port)"
        func bootstrap(_ tenant: String) async throws -> [String: String] {
            let run = await Self.script.run(["bootstrap", "--base-url", base, "--email", "root@example.com", "--password", "root-password-123", "--tenant", tenant])
            try #require(run.status == 0, "bootstrap \(tenant): \(run.output)")
            return try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: String])
        }
        let tenant = try await bootstrap("e2b-a")
        let revocable = try await bootstrap("e2b-a")
        let other = try await bootstrap("e2b-b")
        let run = await Self.script.run(["run", "--base-url", base], environment: [
            "E2B_API_KEY": tenant["apiKey"]!, "GSTACKS_OTHER_KEY": other["apiKey"]!, "GSTACKS_SESSION_KEY": tenant["apiKey"]!,
            "GSTACKS_REVOCABLE_KEY": revocable["apiKey"]!, "GSTACKS_REVOCABLE_KEY_ID": revocable["apiKeyId"]!,
        ])
        let outcomes = run.output.split(separator: "\n").compactMap { try? JSONDecoder().decode(Outcome.self, from: Data($0.utf8)) }
        let expected = try JSONDecoder().decode([String].self, from: Data(await Self.script.run(["list"]).output.utf8))
        #expect(outcomes.map(\.scenario) == expected, "every scenario ran: \(run.output.suffix(3_000))")
        for outcome in outcomes where !outcome.ok {
            Issue.record("scenario \(outcome.scenario): \(outcome.error ?? "")\n\(outcome.trace ?? "")")
        }
        #expect(run.status == 0)
        try await server.stop(signal: SIGTERM)
    }
}
