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

    /// Runs a command to completion with posix_spawn and waitpid. Foundation's `Process` cannot be used for
    /// `pg_ctl start`: the server it leaves behind inherits Process's exit-monitoring descriptors, so
    /// `waitUntilExit` never returns.
    static func run(_ tool: String, _ arguments: [String], asPostgres: Bool = false) throws {
        let argv = asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", tool] + arguments : [tool] + arguments
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-pg-cmd-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else {
            throw TemporaryPostgresError.commandFailed("\(argv[0]) could not start (errno \(spawned)).")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED && WEXITSTATUS == 0
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw TemporaryPostgresError.commandFailed("\(argv.joined(separator: " ")): \(text)")
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
