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
        try Self.run(bin + "/initdb", ["-D", "\(directory)/data", "-A", "trust", "-U", "gstacks", "--no-sync"], asPostgres: asPostgres)
        // A random port may be taken by something else: try a few.
        var started: Int?
        for _ in 0..<5 where started == nil {
            let port = Int.random(in: 20_000...40_000)
            do {
                try Self.run(bin + "/pg_ctl", [
                    "-D", "\(directory)/data", "-l", "\(directory)/log", "-w",
                    "-o", "-k \(directory) -c listen_addresses=127.0.0.1 -p \(port) -c fsync=off -c max_connections=300",
                    "start",
                ], asPostgres: asPostgres)
                started = port
            } catch {
                continue
            }
        }
        guard let port = started else {
            throw TemporaryPostgresError.commandFailed("could not start on any of five ports; see \(directory)/log")
        }
        Self.dataDirectory = "\(directory)/data"
        // At exit Foundation's Process can no longer wait for children, so signal the server directly:
        // SIGQUIT is PostgreSQL's immediate shutdown.
        atexit {
            guard let data = TemporaryPostgres.dataDirectory,
                  let pidFile = try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8),
                  let pid = pidFile.split(separator: "\n").first.flatMap({ Int32($0) })
            else { return }
            kill(pid, SIGQUIT)
        }
        self.port = port
        return port
    }

    nonisolated(unsafe) private static var dataDirectory: String?

    static func run(_ tool: String, _ arguments: [String], asPostgres: Bool = false) throws {
        let argv = asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", tool] + arguments : [tool] + arguments
        do {
            _ = try Subprocess.run(argv)
        } catch let error as Subprocess.Failure {
            throw TemporaryPostgresError.commandFailed(error.description)
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
