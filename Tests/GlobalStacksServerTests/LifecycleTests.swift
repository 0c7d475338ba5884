import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The real `gstacks` binary: starts on an empty data directory, serves, and stops cleanly on SIGTERM.
@Suite("gstacks server process")
struct LifecycleTests {
    static let binary = ContractTests.repository.appendingPathComponent(".build/debug/gstacks").path

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary), "build the gstacks product first (swift build)"))
    func servesThenShutsDownGracefullyOnSIGTERM() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-lifecycle-\(UUID().uuidString)")
        let port = Int.random(in: 41_000...49_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["server", "--port", "\(port)", "--data-dir", data.path, "--bcrypt-cost", "4", "--log-level", "warning"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var ready = false
        for _ in 0..<100 where !ready {
            try await Task.sleep(for: .milliseconds(100))
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/readyz")!) {
                ready = (response as? HTTPURLResponse)?.statusCode == 200
            }
        }
        #expect(ready, "the server became ready")
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("gstacks.sqlite").path), "the data directory was created")

        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(!process.isRunning, "stopped within 5 seconds of SIGTERM")
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed.contains("gss_"), "an empty installation prints a setup token")
    }
}
