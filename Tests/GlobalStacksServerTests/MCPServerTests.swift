import Foundation
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import Testing

/// `gstacks mcp` as an AI agent's client drives it: `scripts/lib/mcp_check.py` runs the official Python MCP client (the
/// `mcp` package, pinned) against the real binary, signed in to a live server with a real agent in bubblewrap. The
/// script lists the tools, makes a sandbox, runs commands, writes and reads files, sends bad input and stops and
/// deletes the sandbox, and prints a JSON summary; here its outcome is checked, and the sandbox's end on the server.
@Suite("MCP server", .serialized)
struct MCPServerTests {
    typealias CLI = CLITests.CLI

    static let tools: Set = ["create_sandbox", "list_sandboxes", "run_command", "read_file", "write_file", "list_files", "stop_sandbox", "delete_sandbox"]

    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"),
          .enabled(if: MCPCheck.isAvailable, "needs the Python MCP client (python3 scripts/lib/mcp_check.py setup)"))
    func theOfficialPythonClientDrivesSandboxesThroughGstacksMcp() async throws {
        let installation = try await SandboxEndToEndTests.Installation.start(.sqlite)
        let cli = CLI()
        try #require(try await cli.run(["login", "http://127.0.0.1:\(installation.server.port)", "--email", "root@example.com", "--password-stdin"],
                                       stdin: "root-password-123\n").code == 0)
        try #require(try await cli.run(["tenants", "use", "prod"]).code == 0)
        let signedOut = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-mcp-signed-out-\(UUID().uuidString)").path

        let run = await MCPCheck.run(["--gstacks", ServerProcess.binary, "--config-dir", cli.configDirectory, "--signed-out-config-dir", signedOut])
        #expect(run.status == 0, "mcp_check.py:\n\(run.output)")
        let summary = try #require(MCPCheck.summary(run.output), "a JSON summary as the last line:\n\(run.output)")
        #expect(summary.ok && summary.failures.isEmpty, "\(summary.failures)")
        #expect(Self.tools.isSubset(of: summary.tools), "\(summary.tools)")
        #expect(summary.checks.count >= 25 && summary.checks.values.allSatisfy { $0 }, "\(summary.checks)")

        // The server saw the sandbox the client made, and its deletion: it is gone, or kept as terminated.
        let id = try #require(summary.sandboxId)
        do {
            let sandbox = try await installation.api.sandbox(id)
            #expect(sandbox.state == .terminated && sandbox.name == "mcp-check" && sandbox.command == ["sleep", "infinity"], "\(sandbox)")
        } catch let error as GlobalStacksClientError {
            #expect(error.status == 404, "\(error)")
        }
        #expect(try await installation.api.sandboxes().allSatisfy { $0.id != id })
    }
}

/// `scripts/lib/mcp_check.py`: whether its pinned client is installed, one run, and its summary.
enum MCPCheck {
    struct Summary: Decodable {
        let ok: Bool
        let mcpVersion: String
        let tools: [String]
        let sandboxId: String?
        let checks: [String: Bool]
        let failures: [String]
    }

    /// The pinned client is installed (the test command installs it; CI requires it).
    static var isAvailable: Bool {
        let check = python(["check"])
        if check.status == 0 { return true }
        if ProcessInfo.processInfo.environment["GSTACKS_REQUIRE_MCP"] == "1" {
            fatalError("GSTACKS_REQUIRE_MCP=1 but the MCP client test cannot run: \(check.output)")
        }
        return false
    }

    /// The summary the script prints as its last line.
    static func summary(_ output: String) -> Summary? {
        output.split(separator: "\n").last.flatMap { try? JSONDecoder().decode(Summary.self, from: Data($0.utf8)) }
    }

    static func run(_ arguments: [String]) async -> (status: Int32, output: String) {
        await PythonScript("mcp_check.py").run(["run"] + arguments, errorsApart: true)
    }

    private static func python(_ arguments: [String]) -> (status: Int32, output: String) {
        PythonScript("mcp_check.py").runBlocking(arguments, errorsApart: true)
    }
}
