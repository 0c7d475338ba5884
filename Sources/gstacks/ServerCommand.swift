import ArgumentParser
import Foundation
import GlobalStacksServer
import Hummingbird
import Logging
import UnixSignals

/// `gstacks server`: every option can also come from a `GSTACKS_…` environment variable; a flag wins over the variable.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the control plane (v1 HTTP API). SQLite by default; PostgreSQL with --database-url."
    )

    @Option(help: "Address to listen on. [GSTACKS_HOST]")
    var host: String?

    @Option(help: "Port to listen on. [GSTACKS_PORT]")
    var port: Int?

    @Option(help: "Directory for the SQLite database, created on first start (default ./data). [GSTACKS_DATA_DIR]")
    var dataDir: String?

    @Option(help: "Use PostgreSQL instead of SQLite: postgres://user:password@host:5432/database. [GSTACKS_DATABASE_URL]")
    var databaseURL: String?

    @Option(help: "The URL people use to reach this server; invitation links are built from it. [GSTACKS_PUBLIC_URL]")
    var publicURL: String?

    @Flag(help: "Mark the session cookie Secure (serve behind HTTPS). [GSTACKS_SECURE_COOKIES=1]")
    var secureCookies = false

    @Flag(help: "Allow self sign-up with POST /v1/signup. [GSTACKS_ALLOW_SIGNUP=1]")
    var allowSignup = false

    @Option(help: "Email of the first site admin, created on an empty database. [GSTACKS_ADMIN_EMAIL]")
    var adminEmail: String?

    @Option(help: "Password of the first site admin; prefer the environment variable. [GSTACKS_ADMIN_PASSWORD]")
    var adminPassword: String?

    @Option(help: "bcrypt cost for password hashes, 4…31 (default 12). [GSTACKS_BCRYPT_COST]")
    var bcryptCost: Int?

    @Option(help: "Operation run workers in this process (default 2). [GSTACKS_OPERATION_WORKERS]")
    var operationWorkers: Int?

    @Option(help: "Seconds a worker holds a run without renewing it; a crashed worker's run is retried after it (default 30). [GSTACKS_OPERATION_LEASE_SECONDS]")
    var operationLeaseSeconds: Int?

    @Option(help: "Days completed operation runs and terminated sandboxes are kept (default 30). [GSTACKS_RUN_RETENTION_DAYS]")
    var runRetentionDays: Int?

    @Option(help: "Directory whose files provider connections may use as credentials (file: references); none by default. [GSTACKS_CREDENTIALS_DIR]")
    var credentialsDir: String?

    @Option(help: "Seconds an agent has to finish a sandbox command before it fails (default 300). [GSTACKS_COMMAND_DEADLINE_SECONDS]")
    var commandDeadlineSeconds: Int?

    @Option(help: "Open connections accepted at once (HTTP and agents); more are answered 503. Default: the descriptor limit less a reserve. [GSTACKS_MAX_CONNECTIONS]")
    var maxConnections: Int?

    @Option(help: "Seconds a new connection has to send a complete request head before it is answered 408 and closed (default 10). [GSTACKS_REQUEST_HEAD_TIMEOUT_SECONDS]")
    var requestHeadTimeoutSeconds: Int?

    @Flag(help: "Also run an agent inside the server (managed cluster 'local'), so one process runs sandboxes; its key and sandboxes live in <data-dir>/embedded-agent. [GSTACKS_EMBEDDED_AGENT=1]")
    var embeddedAgent = false

    @Flag(help: "Register the test.* operation types, for tests and benchmarks only. [GSTACKS_ENABLE_TEST_OPERATIONS=1]")
    var enableTestOperations = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error. [GSTACKS_LOG_LEVEL]")
    var logLevel: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        func setting(_ flag: String?, _ name: String) -> String? { flag ?? environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        func enabled(_ flag: Bool, _ name: String) -> Bool { flag || ["1", "true", "yes"].contains(environment[name]?.lowercased() ?? "") }

        var configuration = ServerConfiguration()
        configuration.host = setting(host, "GSTACKS_HOST") ?? configuration.host
        if let port = try setting(port.map(String.init), "GSTACKS_PORT").map({ try parseInt($0, "port", 1...65535) }) {
            configuration.port = port
        }
        if let url = setting(databaseURL, "GSTACKS_DATABASE_URL") {
            configuration.database = .postgres(url: url)
        } else {
            let directory = setting(dataDir, "GSTACKS_DATA_DIR") ?? "./data"
            configuration.database = .sqlite(path: URL(fileURLWithPath: directory).appendingPathComponent("gstacks.sqlite").path)
        }
        configuration.publicURL = setting(publicURL, "GSTACKS_PUBLIC_URL")
        configuration.secureCookies = enabled(secureCookies, "GSTACKS_SECURE_COOKIES")
        configuration.allowSignUp = enabled(allowSignup, "GSTACKS_ALLOW_SIGNUP")
        configuration.initialAdminEmail = setting(adminEmail, "GSTACKS_ADMIN_EMAIL")
        configuration.initialAdminPassword = setting(adminPassword, "GSTACKS_ADMIN_PASSWORD")
        if let cost = try setting(bcryptCost.map(String.init), "GSTACKS_BCRYPT_COST").map({ try parseInt($0, "bcrypt-cost", 4...31) }) {
            configuration.bcryptCost = cost
        }
        if let workers = try setting(operationWorkers.map(String.init), "GSTACKS_OPERATION_WORKERS").map({ try parseInt($0, "operation-workers", 1...64) }) {
            configuration.workers.count = workers
        }
        if let lease = try setting(operationLeaseSeconds.map(String.init), "GSTACKS_OPERATION_LEASE_SECONDS").map({ try parseInt($0, "operation-lease-seconds", 1...3600) }) {
            configuration.workers.leaseDuration = TimeInterval(lease)
        }
        if let days = try setting(runRetentionDays.map(String.init), "GSTACKS_RUN_RETENTION_DAYS").map({ try parseInt($0, "run-retention-days", 1...3650) }) {
            configuration.workers.retention = TimeInterval(days) * 86_400
        }
        if let deadline = try setting(commandDeadlineSeconds.map(String.init), "GSTACKS_COMMAND_DEADLINE_SECONDS").map({ try parseInt($0, "command-deadline-seconds", 5...86_400) }) {
            configuration.commandDeadline = TimeInterval(deadline)
        }
        if let connections = try setting(maxConnections.map(String.init), "GSTACKS_MAX_CONNECTIONS").map({ try parseInt($0, "max-connections", 1...10_000_000) }) {
            configuration.connections.maximumConnections = connections
        }
        if let seconds = try setting(requestHeadTimeoutSeconds.map(String.init), "GSTACKS_REQUEST_HEAD_TIMEOUT_SECONDS").map({ try parseInt($0, "request-head-timeout-seconds", 1...3600) }) {
            configuration.connections.requestHeadTimeout = .seconds(seconds)
        }
        if enabled(embeddedAgent, "GSTACKS_EMBEDDED_AGENT") {
            let directory = setting(dataDir, "GSTACKS_DATA_DIR") ?? "./data"
            configuration.embeddedAgentDirectory = URL(fileURLWithPath: directory).appendingPathComponent("embedded-agent").path
        }
        configuration.credentialsDirectory = setting(credentialsDir, "GSTACKS_CREDENTIALS_DIR")
        configuration.enableTestOperations = enabled(enableTestOperations, "GSTACKS_ENABLE_TEST_OPERATIONS")
        let level = setting(logLevel, "GSTACKS_LOG_LEVEL") ?? "info"
        guard let logLevel = Logger.Level(rawValue: level) else {
            throw ValidationError("Unknown log level '\(level)'.")
        }

        var logger = Logger(label: "gstacks")
        logger.logLevel = logLevel
        let app = try await buildApplication(configuration, logger: logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    private func parseInt(_ text: String, _ name: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw ValidationError("--\(name) must be a whole number in \(range.lowerBound)…\(range.upperBound) (got '\(text)').")
        }
        return value
    }
}
