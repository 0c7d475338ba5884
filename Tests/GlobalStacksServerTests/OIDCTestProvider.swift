import Foundation
import Testing

/// nanoidp, a real OpenID provider with the device authorization grant, on loopback for one test
/// (`scripts/lib/oidc_provider.py`, docs/oidc-test-provider.md): started, approved or denied as a person would.
final class OIDCTestProvider: @unchecked Sendable {
    static let script = ContractTests.repository.appendingPathComponent("scripts/lib/oidc_provider.py").path
    static let venv = ContractTests.repository.appendingPathComponent(".venv-oidc/bin/nanoidp").path
    /// nanoidp is installed (the test command does it); CI requires it.
    static var isAvailable: Bool {
        if FileManager.default.isExecutableFile(atPath: venv) { return true }
        if ProcessInfo.processInfo.environment["GSTACKS_REQUIRE_OIDC"] == "1" {
            fatalError("GSTACKS_REQUIRE_OIDC=1 but nanoidp is not installed; run python3 scripts/lib/oidc_provider.py setup")
        }
        return false
    }

    let process = Process()
    let issuer: String
    /// nanoidp itself. Both it and its wrapper are killed with SIGKILL: processes a test starts may inherit an
    /// ignored SIGTERM, and a provider left behind would outlive the test run.
    private let providerPID: Int32?

    init(deviceCodeTTL: Int = 600) throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-oidc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "start", "--data", data, "--interval", "1", "--device-code-ttl", "\(deviceCodeTTL)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line += chunk
        }
        let ready = (try? JSONSerialization.jsonObject(with: line.split(separator: UInt8(ascii: "\n")).first ?? Data())) as? [String: Any]
        providerPID = (ready?["nanoidp_pid"] as? Int).map(Int32.init)
        issuer = try #require(ready?["issuer"] as? String, "nanoidp started: \(String(decoding: line, as: UTF8.self))")
    }

    deinit {
        // nanoidp is not our child: once it has ended, its pid may be another process's (pid_max is 32768 here, and a
        // test run starts thousands), so it is killed only while the pid still names nanoidp.
        if let providerPID, Self.isNanoidp(providerPID) { kill(providerPID, SIGKILL) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private static func isNanoidp(_ pid: Int32) -> Bool {
        let arguments = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return String(decoding: arguments, as: UTF8.self).contains("nanoidp")
    }

    /// Approves (or denies) a user code on the provider's own page, as a person in a browser would.
    func decide(_ userCode: String, username: String? = nil, password: String? = nil, deny: Bool = false) throws -> Bool {
        let approve = Process()
        approve.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        approve.arguments = ["python3", Self.script, "approve", "--issuer", issuer, "--user-code", userCode]
            + (username.map { ["--username", $0] } ?? []) + (password.map { ["--password", $0] } ?? []) + (deny ? ["--deny"] : [])
        approve.standardOutput = FileHandle.nullDevice
        approve.standardError = FileHandle.nullDevice
        try approve.run()
        approve.waitUntilExit()
        return approve.terminationStatus == 0
    }
}

/// A `gstacks` process run in the background, its standard error read as it comes (the device code is printed
/// there while it waits).
final class BackgroundCLI: @unchecked Sendable {
    let process = Process()
    private let errors = Pipe()
    private let lock = NSLock()
    private var collected = ""

    init(_ arguments: [String], configDirectory: String) throws {
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["GSTACKS_CONFIG_DIR": configDirectory]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let handle = errors.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                guard !chunk.isEmpty else { break }
                lock.lock()
                collected += String(decoding: chunk, as: UTF8.self)
                lock.unlock()
            }
        }
    }

    var stderr: String {
        lock.lock()
        defer { lock.unlock() }
        return collected
    }

    /// The user code it shows (≤ 20 s).
    func userCode() async throws -> String {
        for _ in 0..<200 {
            if let range = stderr.range(of: "enter the code ") {
                return String(stderr[range.upperBound...].prefix { $0.isLetter || $0.isNumber })
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no user code shown: \(stderr)")
        return ""
    }

    /// Its exit status (≤ 60 s).
    func exitCode() async throws -> Int32 {
        for _ in 0..<600 where process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
