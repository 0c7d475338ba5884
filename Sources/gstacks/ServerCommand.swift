import ArgumentParser
import Foundation
import GlobalStacksServer
import Hummingbird
import Logging
import UnixSignals

/// `gstacks server`: every setting is declared once, in `ServerSettings`, and read from its flag, its `GSTACKS_…`
/// environment variable or the config file, in that order.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the control plane (v1 HTTP API). SQLite by default; PostgreSQL with --database-url.",
        discussion: """
            Every setting has a flag and an environment variable; a flag wins over its variable, and a variable over the \
            config file (--config FILE, a JSON object: {"port": 8080, "data-dir": "/srv/gstacks"}).

            \(ServerSettings.help)
            """
    )

    /// The settings' flags and values, checked against `ServerSettings` (an unknown one is refused).
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var settings: [String] = []

    func run() async throws {
        let configuration: ServerConfiguration
        do {
            configuration = try await ServerSettings.configuration(arguments: settings, environment: ProcessInfo.processInfo.environment)
        } catch let error as SettingError {
            throw ValidationError(error.description)
        }
        var logger = Logger(label: "gstacks")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        let lock: DataDirectoryLock?
        do {
            lock = try DataDirectoryLock.acquire(for: configuration)
            try await ListeningPort.checkAvailable(host: configuration.host, port: configuration.port)
        } catch let refusal as StartupRefusal {
            logger.critical("\(refusal)")
            throw ExitCode.failure
        }
        let app = try await buildApplication(configuration, logger: logger)
        defer { withExtendedLifetime(lock) {} }  // held until the server has stopped
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
