import Foundation

/// A throwaway PostgreSQL server for the test process, started on first use from the installed server binaries
/// (initdb/pg_ctl in a temporary directory, loopback only) and stopped when the process exits.
/// Each caller gets its own fresh database, so tests stay independent and can run in parallel.
public actor TemporaryPostgres {
    public static let shared = TemporaryPostgres()

    /// Where initdb and pg_ctl live, or nil when the PostgreSQL server is not installed.
    public static let binDirectory: String? = {
        if let explicit = ProcessInfo.processInfo.environment["GSTACKS_PG_BIN"] { return explicit }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
        return versions.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }()

    public static var isAvailable: Bool { binDirectory != nil }

    /// Set in CI so a missing PostgreSQL fails the run instead of skipping its half of the suite.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["GSTACKS_REQUIRE_POSTGRES"] == "1" }

    private var port: Int?
    private var databaseCounter = 0

    /// A URL to a new, empty database on the shared throwaway server.
    public func makeDatabase() async throws -> String {
        let port = try await startIfNeeded()
        databaseCounter += 1
        let name = "test_\(ProcessInfo.processInfo.processIdentifier)_\(databaseCounter)"
        try Self.run(Self.binDirectory! + "/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "gstacks", "-d", "postgres", "-q", "-c", "CREATE DATABASE \(name)"])
        return "postgres://gstacks@127.0.0.1:\(port)/\(name)?sslmode=disable"
    }

    private func startIfNeeded() async throws -> Int {
        if let port { return port }
        guard let bin = Self.binDirectory else { throw TemporaryPostgresError.notInstalled }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let asPostgres = getuid() == 0
        if asPostgres { try Self.run("/bin/chown", ["postgres", directory]) }
        let port = Int.random(in: 20_000...40_000)
        try Self.run(bin + "/initdb", ["-D", "\(directory)/data", "-A", "trust", "-U", "gstacks", "--no-sync"], asPostgres: asPostgres)
        try Self.run(bin + "/pg_ctl", [
            "-D", "\(directory)/data", "-l", "\(directory)/log", "-w",
            "-o", "-k \(directory) -c listen_addresses=127.0.0.1 -p \(port) -c fsync=off -c max_connections=300",
            "start",
        ], asPostgres: asPostgres)
        Self.stopCommand = (bin + "/pg_ctl", ["-D", "\(directory)/data", "-m", "immediate", "stop"], asPostgres)
        atexit {
            if let (tool, arguments, asPostgres) = TemporaryPostgres.stopCommand {
                try? TemporaryPostgres.run(tool, arguments, asPostgres: asPostgres)
            }
        }
        self.port = port
        return port
    }

    nonisolated(unsafe) private static var stopCommand: (String, [String], Bool)?

    private static func run(_ tool: String, _ arguments: [String], asPostgres: Bool = false) throws {
        let process = Process()
        if asPostgres {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", tool] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TemporaryPostgresError.commandFailed("\(tool) \(arguments.joined(separator: " ")): \(String(decoding: data, as: UTF8.self))")
        }
    }
}

public enum TemporaryPostgresError: Error, CustomStringConvertible {
    case notInstalled
    case commandFailed(String)

    public var description: String {
        switch self {
        case .notInstalled: "PostgreSQL server binaries are not installed (apt-get install postgresql)."
        case .commandFailed(let detail): "PostgreSQL test server: \(detail)"
        }
    }
}
