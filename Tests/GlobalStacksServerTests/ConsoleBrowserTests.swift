import Foundation
import Testing

/// The console in a real browser: each scenario of `scripts/lib/console_browser.py` (Selenium driving Debian's headless
/// Chromium) against a fresh real server, with the embedded agent when it needs sandboxes. A failure carries the
/// scenario's own account: its steps, the page it was on, and a screenshot. Screenshots of the pages go to
/// `.build/console-screenshots/` (GSTACKS_SCREENSHOT_DIR moves them). One scenario at a time: each runs a server and
/// a Chromium, and on two cores more at once would time the machine rather than the pages.
@Suite("Console in a browser", .serialized)
struct ConsoleBrowserTests {
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"),
          .enabled(if: ConsoleBrowser.isAvailable, "needs Debian's chromium and chromium-driver, and selenium (python3 scripts/lib/console_browser.py setup)"),
          .serialized, arguments: ConsoleBrowser.scenarios)
    func scenario(_ scenario: ConsoleBrowser.Scenario) async throws {
        let server = try await ServerProcess(
            ["--data-dir", LifecycleTests.dataDirectory(), "--bcrypt-cost", "4", "--log-level", "warning"] + (scenario.needsSandboxes ? ["--embedded-agent"] : []),
            environment: LifecycleTests.admin
        )
        var environment: [String: String] = [:]
        if scenario.needsExtension {
            // Published by the site admin from a tenant of their own, reviewed and published: every tenant's catalog has it.
            let admin = try await LiveHTTP.signIn(server)
            try await admin.ok("POST", "/v1/tenants", #"{"name":"Publishing","slug":"publishing"}"#)
            try await admin.activateTenant(slug: "publishing")
            environment["GSTACKS_BROWSER_EXTENSION"] = try await ExampleExtension.publish(admin).key
        }
        let run = try await ConsoleBrowser.run(scenario.name, against: server, environment: environment)
        #expect(run.status == 0, "scenario \(scenario.name):\n\(run.output)")
        try await server.stop(signal: SIGTERM)
    }
}

/// `scripts/lib/console_browser.py`: which scenarios there are, whether a browser is installed, and one run.
enum ConsoleBrowser {
    struct Scenario: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let needsSandboxes: Bool
        let needsExtension: Bool
        var testDescription: String { name }
    }

    static var screenshots: String {
        ProcessInfo.processInfo.environment["GSTACKS_SCREENSHOT_DIR"] ?? ContractTests.repository.appendingPathComponent(".build/console-screenshots").path
    }

    /// Chromium, its driver and Selenium are installed (the test command installs Selenium; CI requires all three).
    static var isAvailable: Bool {
        let check = python(["check"])
        if check.status == 0 { return true }
        if ProcessInfo.processInfo.environment["GSTACKS_REQUIRE_BROWSER"] == "1" {
            fatalError("GSTACKS_REQUIRE_BROWSER=1 but the browser tests cannot run: \(check.output)")
        }
        return false
    }

    /// The enabled scenarios, as the module lists them.
    static var scenarios: [Scenario] {
        (try? JSONDecoder().decode([Scenario].self, from: Data(python(["list", "--json"]).output.utf8))) ?? []
    }

    static func run(_ name: String, against server: ServerProcess, environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let arguments = ["run", "--base-url", "http://127.0.0.1:\(server.port)", "--screenshots", screenshots, name]
        return await PythonScript("console_browser.py").run(arguments, environment: LifecycleTests.admin.merging(environment) { $1 })
    }

    private static func python(_ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, output: String) {
        PythonScript("console_browser.py").runBlocking(arguments, environment: environment)
    }
}
