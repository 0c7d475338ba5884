import Foundation

/// One of the repository's Python modules under `scripts/lib/`, run with the system's python3 (each re-executes itself
/// in its own venv when it needs its packages), on a thread of its own so that a long run holds no cooperative thread.
struct PythonScript: Sendable {
    let path: String

    init(_ name: String) {
        path = ContractTests.repository.appendingPathComponent("scripts/lib/\(name)").path
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) async -> (status: Int32, output: String) {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: runBlocking(arguments, environment: environment)) }.start()
        }
    }

    /// The same, on the calling thread: for checks made while tests are being listed.
    func runBlocking(_ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch { return (-1, "could not start python3: \(error)") }
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: printed, as: UTF8.self))
    }
}
