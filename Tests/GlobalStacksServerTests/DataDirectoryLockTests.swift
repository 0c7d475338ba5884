import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import GlobalStacksServer

/// One server per data directory, and a start-up that cannot listen says why in one line.
@Suite("Data directory lock and listening port")
struct DataDirectoryLockTests {
    /// Runs the real `gstacks server` with `arguments` until it exits (≤ 30 s); its exit status and everything it printed.
    static func serverUntilExit(_ arguments: [String]) async throws -> (status: Int32, printed: String) {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = ["server"] + arguments
        process.standardOutput = output
        process.standardError = output
        try process.run()
        for _ in 0..<300 where process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("gstacks server \(arguments) was still running after 30 s")
        }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    /// A second server on the same data directory (another port) refuses to start, naming the directory and the first
    /// server's pid, and leaves the first one serving.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"))
    func aSecondServerOnTheSameDataDirectoryRefusesToStart() async throws {
        let data = LifecycleTests.dataDirectory()
        let flags = ["--data-dir", data, "--bcrypt-cost", "4", "--log-level", "warning"]
        let first = try await ServerProcess(flags, environment: LifecycleTests.admin)
        let second = try await Self.serverUntilExit(flags + ["--port", "\(ServerProcess.freePort())"])
        #expect(second.status != 0)
        let directory = URL(fileURLWithPath: data).standardizedFileURL.path
        #expect(
            second.printed.contains("The data directory \(directory) is in use by another gstacks server (pid \(first.process.processIdentifier))"),
            "\(second.printed)"
        )
        let (_, response) = try await ServerProcess.session.data(from: first.url("/readyz"))
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "the first server still serves")
        // Once the first has stopped, the directory is free again.
        try await first.stop(signal: SIGTERM)
        let next = try await ServerProcess(flags, environment: LifecycleTests.admin)
        try await next.stop(signal: SIGTERM)
        #expect(next.process.terminationStatus == 0, "\(next.printed.suffix(2_000))")
    }

    /// A port another process listens on: one line that says so, and exit 1.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"))
    func aBusyPortIsOneLineAndExitOne() async throws {
        let first = try await ServerProcess(["--data-dir", LifecycleTests.dataDirectory(), "--bcrypt-cost", "4", "--log-level", "warning"])
        let second = try await Self.serverUntilExit(["--data-dir", LifecycleTests.dataDirectory(), "--port", "\(first.port)"])
        #expect(second.status == 1)
        let lines = second.printed.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("Port \(first.port) on 127.0.0.1 is already in use"), "\(second.printed)")
    }

    /// With PostgreSQL the data directory is locked only for an embedded agent (its key and sandboxes live there);
    /// replicas without one may share it.
    @Test func withPostgreSQLTheDataDirectoryIsLockedOnlyForAnEmbeddedAgent() throws {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = LifecycleTests.dataDirectory()
        configuration.database = .postgres(url: "postgres://gstacks@127.0.0.1/gstacks")
        #expect(try DataDirectoryLock.acquire(for: configuration) == nil)
        configuration.embeddedAgentDirectory = configuration.dataDirectory + "/embedded-agent"
        let lock = try DataDirectoryLock.acquire(for: configuration)
        #expect(lock != nil)
        #expect(throws: StartupRefusal.self) { try DataDirectoryLock.acquire(for: configuration) }
        withExtendedLifetime(lock) {}
    }
}
