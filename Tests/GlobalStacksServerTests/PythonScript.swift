import Foundation

/// One of the repository's Python modules under `scripts/lib/`, run with the system's python3 (each re-executes itself
/// in its own venv when it needs its packages), on a thread of its own so that a long run holds no cooperative thread.
struct PythonScript: Sendable {
    let path: String

    init(_ name: String) {
        path = ContractTests.repository.appendingPathComponent("scripts/lib/\(name)").path
    }

    /// `errorsApart`: standard error goes to a file, shown before the output only when the run failed, so that the
    /// output's last line is what the script printed last (a summary).
    func run(_ arguments: [String], environment: [String: String] = [:], errorsApart: Bool = false) async -> (status: Int32, output: String) {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: runBlocking(arguments, environment: environment, errorsApart: errorsApart)) }.start()
        }
    }

    /// The same, on the calling thread: for checks made while tests are being listed.
    func runBlocking(_ arguments: [String], environment: [String: String] = [:], errorsApart: Bool = false) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("python-\(UUID().uuidString).log")
        var errorFile: FileHandle?
        defer {
            try? errorFile?.close()
            try? FileManager.default.removeItem(at: errors)
        }
        if errorsApart {
            guard FileManager.default.createFile(atPath: errors.path, contents: nil), let file = try? FileHandle(forWritingTo: errors) else {
                return (-1, "could not create \(errors.path)")
            }
            errorFile = file
            process.standardError = file
        } else {
            process.standardError = output
        }
        do { try process.run() } catch { return (-1, "could not start python3: \(error)") }
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard errorsApart, process.terminationStatus != 0 else { return (process.terminationStatus, printed) }
        return (process.terminationStatus, "\((try? String(contentsOf: errors, encoding: .utf8)) ?? "")\n\(printed)")
    }
}
