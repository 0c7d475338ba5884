import Foundation
import GlobalStacksAgent
import Logging

/// The real `gstacks agent` binary, dialing a `ServerProcess`.
final class AgentProcess: @unchecked Sendable {
    let process = Process()
    let credentialsFile: String
    let sandboxDirectory: String

    /// Starts `gstacks agent` with its key in `credentialsFile` (enrolling with `token` when given).
    init(server: ServerProcess, name: String, credentialsFile: String, token: String?, driver: String = "process", extraArguments: [String] = []) throws {
        self.credentialsFile = credentialsFile
        self.sandboxDirectory = URL(fileURLWithPath: credentialsFile).deletingLastPathComponent().appendingPathComponent("sandboxes").path
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = [
            "agent", "--url", "http://127.0.0.1:\(server.port)", "--name", name, "--credentials-file", credentialsFile,
            "--heartbeat-interval", "1", "--driver", driver, "--log-level", ProcessInfo.processInfo.environment["GSTACKS_TEST_AGENT_LOG_LEVEL"] ?? "warning",
        ] + extraArguments
        var environment = ProcessInfo.processInfo.environment
        environment["GSTACKS_AGENT_TOKEN"] = token
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        // Its log, beside its credentials, for a test that fails.
        let log = URL(fileURLWithPath: credentialsFile).deletingLastPathComponent().appendingPathComponent("agent.log")
        try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        process.standardError = (try? FileHandle(forWritingTo: log)).map { $0.seekToEndOfFile(); return $0 } ?? FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        // Killed, it stopped none of its sandboxes, and a frozen one would outlive it: end them as its next start would.
        Leftovers.end(under: URL(fileURLWithPath: sandboxDirectory), logger: Logger(label: "test"))
    }

    func kill(signal: Int32 = SIGKILL) {
        Foundation.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    /// A file in a sandbox's private directory, or nil while it does not exist.
    func sandboxFile(_ sandboxID: String, _ name: String) -> String? {
        try? String(contentsOfFile: "\(sandboxDirectory)/\(sandboxID)/\(name)", encoding: .utf8)
    }

    /// The file once the sandbox has written it (a running sandbox's process may not have reached that line
    /// yet), waiting at most 10 s.
    func awaitSandboxFile(_ sandboxID: String, _ name: String) async throws -> String? {
        for _ in 0..<200 {
            if let text = sandboxFile(sandboxID, name) { return text }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}
