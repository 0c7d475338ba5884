import Configuration
import Foundation

/// Every setting of `gstacks server`, declared once: its key, what it does, its default and the values it allows.
/// Each is read from, strongest first, its flag (`data.dir` → `--data-dir`), its environment variable
/// (`GSTACKS_DATA_DIR`), the config file (`--config FILE` or `GSTACKS_CONFIG`: a JSON object whose keys are the
/// settings' flags without the dashes, `{"data-dir": "/srv/gstacks", "port": 8080}`), else its default.
/// `gstacks server --help` is written from this table.
public enum ServerSettings {
    public struct Setting: Sendable {
        /// Dot-separated words: `operation.lease.seconds`.
        public let key: String
        let kind: Kind
        public let help: String
        /// The default as `--help` shows it (nil: none).
        let shows: (@Sendable (ServerConfiguration) -> String)?
        let apply: @Sendable (inout ServerConfiguration, Value) -> Void

        init(
            key: String, kind: Kind, help: String, shows: (@Sendable (ServerConfiguration) -> String)? = nil,
            apply: @escaping @Sendable (inout ServerConfiguration, Value) -> Void
        ) {
            self.key = key
            self.kind = kind
            self.help = help
            self.shows = shows
            self.apply = apply
        }

        enum Kind: Sendable {
            case text(secret: Bool)
            case number(ClosedRange<Int>, unit: String?)
            case flag
            case choice([String])
        }

        enum Value {
            case text(String)
            case number(Int)
            case flag(Bool)

            var text: String { if case .text(let text) = self { text } else { "" } }
            var number: Int { if case .number(let number) = self { number } else { 0 } }
            var flag: Bool { if case .flag(let flag) = self { flag } else { false } }
        }

        public var flag: String { "--" + key.replacingOccurrences(of: ".", with: "-") }
        public var environmentVariable: String { "GSTACKS_" + key.uppercased().replacingOccurrences(of: ".", with: "_") }
        var fileKey: String { key.replacingOccurrences(of: ".", with: "-") }
        var isSecret: Bool { if case .text(secret: true) = kind { true } else { false } }
    }

    /// The settings, in the order `--help` lists them. Defaults live in `ServerConfiguration` (the help shows them).
    public static let all: [Setting] = [
        .init(key: "host", kind: .text(secret: false), help: "Address to listen on.", shows: { $0.host }) { $0.host = $1.text },
        .init(key: "port", kind: .number(1...65535, unit: nil), help: "Port to listen on.", shows: { "\($0.port)" }) { $0.port = $1.number },
        .init(key: "data.dir", kind: .text(secret: false), help: "Directory for the SQLite database and the embedded agent, created on first start.", shows: { $0.dataDirectory }) {
            $0.dataDirectory = $1.text
            $0.database = .sqlite(path: URL(fileURLWithPath: $1.text).appendingPathComponent("gstacks.sqlite").path)
        },
        .init(key: "database.url", kind: .text(secret: true), help: "Use PostgreSQL instead of SQLite: postgres://user:password@host:5432/database.") {
            $0.database = .postgres(url: $1.text)
        },
        .init(key: "public.url", kind: .text(secret: false), help: "The URL people use to reach this server; invitation links are built from it.") {
            $0.publicURL = $1.text
        },
        .init(key: "relay.url", kind: .text(secret: false), help: "With PostgreSQL and several replicas: where the other replicas reach this one, to relay requests for sandboxes whose agent is connected here. Without it, such requests are answered 503.") {
            $0.relayURL = $1.text
        },
        .init(key: "sandbox.domain", kind: .text(secret: false), help: "A wildcard domain that points at this server (e.g. sandboxes.example.com for *.sandboxes.example.com): a sandbox's port N is served at N-<sandbox id>.<domain>, and the E2B-compatible API hands it to its clients.") {
            $0.sandboxDomain = $1.text
        },
        .init(key: "secure.cookies", kind: .flag, help: "Mark the session cookie Secure (serve behind HTTPS).") { $0.secureCookies = $1.flag },
        .init(key: "allow.signup", kind: .flag, help: "Allow self sign-up with POST /v1/signup.") { $0.allowSignUp = $1.flag },
        .init(key: "admin.email", kind: .text(secret: false), help: "Email of the first site admin, created on an empty database.") {
            $0.initialAdminEmail = $1.text
        },
        .init(key: "admin.password", kind: .text(secret: true), help: "Password of the first site admin; prefer the environment variable.") {
            $0.initialAdminPassword = $1.text
        },
        .init(key: "bcrypt.cost", kind: .number(4...31, unit: nil), help: "bcrypt cost for password hashes.", shows: { "\($0.bcryptCost)" }) { $0.bcryptCost = $1.number },
        .init(key: "invocation.workers", kind: .number(1...256, unit: nil), help: "Workers that run extension invocations in this process (each waits for one invocation at a time).", shows: { "\($0.invocationWorkers)" }) { $0.invocationWorkers = $1.number },
        .init(key: "operation.workers", kind: .number(1...64, unit: nil), help: "Operation run workers in this process.", shows: { "\($0.workers.count)" }) { $0.workers.count = $1.number },
        .init(key: "operation.lease.seconds", kind: .number(1...3600, unit: "s"), help: "How long a worker holds a run without renewing it; a crashed worker's run is retried after it.", shows: { "\(Int($0.workers.leaseDuration))" }) {
            $0.workers.leaseDuration = TimeInterval($1.number)
        },
        .init(key: "run.retention.days", kind: .number(1...3650, unit: "days"), help: "How long completed operation runs and terminated sandboxes are kept.", shows: { "\(Int($0.workers.retention / 86_400))" }) {
            $0.workers.retention = TimeInterval($1.number) * 86_400
        },
        .init(key: "credentials.dir", kind: .text(secret: false), help: "Directory whose files provider connections may use as credentials (file: references); none by default.") {
            $0.credentialsDirectory = $1.text
        },
        .init(key: "content.dir", kind: .text(secret: false), help: "Directory for uploaded extension manifests and artifacts; default: extension-content in the data directory.") {
            $0.contentDirectory = $1.text
        },
        .init(key: "artifact.cache.store", kind: .text(secret: false), help: "Id of an artifact_cache object store that keeps extension manifests and artifacts instead of the content directory (docs/data-plane.md).") {
            $0.artifactCacheStore = $1.text
        },
        .init(key: "secret.key.file", kind: .text(secret: false), help: "File holding the 32-byte key that seals extension secret settings (created 0600 when missing); default: secret.key in the data directory.") {
            $0.secretKeyFile = $1.text
        },
        .init(key: "oidc.providers.file", kind: .text(secret: false), help: "JSON file of the OpenID providers people may sign in with by device code (gstacks login --oidc); see docs/oidc.md.") {
            $0.oidcProvidersFile = $1.text
        },
        .init(key: "command.deadline.seconds", kind: .number(5...86_400, unit: "s"), help: "How long an agent has to finish a sandbox command before it fails.", shows: { "\(Int($0.commandDeadline))" }) {
            $0.commandDeadline = TimeInterval($1.number)
        },
        .init(key: "sandbox.file.max.mib", kind: .number(1...1_048_576, unit: "MiB"), help: "Largest file an upload may write into a sandbox (its storage limit applies as well).", shows: { "\($0.maximumSandboxFileBytes >> 20)" }) {
            $0.maximumSandboxFileBytes = Int64($1.number) << 20
        },
        .init(key: "max.connections", kind: .number(1...10_000_000, unit: nil), help: "Open connections accepted at once (HTTP and agents); more are answered 503. Default: the descriptor limit less a reserve.") {
            $0.connections.maximumConnections = $1.number
        },
        .init(key: "max.connections.per.address", kind: .number(1...10_000_000, unit: nil), help: "Open connections one client address may hold at once; more are answered 429. Behind a reverse proxy every client has the proxy's address: raise it to --max-connections.", shows: { "\($0.connections.maximumConnectionsPerAddress)" }) {
            $0.connections.maximumConnectionsPerAddress = $1.number
        },
        .init(key: "first.request.timeout.seconds", kind: .number(1...3600, unit: "s"), help: "How long a new connection may stay silent before it is closed.", shows: { "\($0.connections.firstRequestTimeout.components.seconds)" }) {
            $0.connections.firstRequestTimeout = .seconds($1.number)
        },
        .init(key: "request.head.timeout.seconds", kind: .number(1...3600, unit: "s"), help: "How long a connection has, from its first bytes, to send a complete request head before it is answered 408.", shows: { "\($0.connections.requestHeadTimeout.components.seconds)" }) {
            $0.connections.requestHeadTimeout = .seconds($1.number)
        },
        .init(key: "idle.timeout.seconds", kind: .number(1...86_400, unit: "s"), help: "How long a kept-alive connection may stay idle between requests.", shows: { "\($0.connections.idleTimeout.components.seconds)" }) {
            $0.connections.idleTimeout = .seconds($1.number)
        },
        .init(key: "embedded.agent", kind: .flag, help: "Also run an agent inside the server (managed cluster 'local'); its key and sandboxes live in <data-dir>/embedded-agent. Comes after --data-dir in this table, so it sees it.") {
            $0.embeddedAgentDirectory = $1.flag ? URL(fileURLWithPath: $0.dataDirectory).appendingPathComponent("embedded-agent").path : nil
        },
        .init(key: "enable.test.operations", kind: .flag, help: "Register the test.* operation types, for tests and benchmarks only.") { $0.enableTestOperations = $1.flag },
        .init(key: "log.level", kind: .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), help: "How much the server logs.", shows: { $0.logLevel }) {
            $0.logLevel = $1.text
        },
    ]

    /// The config file setting itself: read from the flag or the environment only.
    static let configFile = Setting(key: "config", kind: .text(secret: false), help: "A JSON file of settings, weaker than flags and environment variables.") { _, _ in }

    /// The configuration `arguments` (the words after `gstacks server`), `environment` and the config file they name ask for.
    public static func configuration(arguments: [String], environment: [String: String]) async throws -> ServerConfiguration {
        let gstacksVariables = environment.reduce(into: [String: String]()) { variables, entry in
            guard entry.key.hasPrefix("GSTACKS_"), !entry.value.isEmpty else { return }
            variables[String(entry.key.dropFirst("GSTACKS_".count))] = entry.value
        }
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "command line", values: try commandLineValues(arguments)),
            EnvironmentVariablesProvider(environmentVariables: gstacksVariables),
        ]
        let early = ConfigReader(providers: providers)
        if let path = early.string(forKey: ConfigKey(configFile.key)) {
            providers.append(try InMemoryProvider(name: "config file", values: fileValues(path)))
        }
        let reader = ConfigReader(providers: providers)
        var configuration = ServerConfiguration()
        for setting in all {
            guard let value = try value(of: setting, in: reader) else { continue }
            setting.apply(&configuration, value)
        }
        return configuration
    }

    /// One setting's value, checked against what it allows; nil when no source sets it.
    private static func value(of setting: Setting, in reader: ConfigReader) throws -> Setting.Value? {
        let key = ConfigKey(setting.key)
        let names = "\(setting.flag) (\(setting.environmentVariable))"
        switch setting.kind {
        case .flag:
            guard let text = reader.string(forKey: key) else { return nil }
            switch text.lowercased() {
            case "", "1", "true", "yes", "on": return .flag(true)
            case "0", "false", "no", "off": return .flag(false)
            default: throw SettingError("\(names) is on or off (1/true/yes or 0/false/no), not '\(text.prefix(64))'.")
            }
        case .text(let secret):
            return reader.string(forKey: key, isSecret: secret).map { .text($0) }
        case .choice(let choices):
            guard let text = reader.string(forKey: key) else { return nil }
            guard choices.contains(text) else { throw SettingError("\(names) is one of \(choices.joined(separator: ", ")), not '\(text.prefix(64))'.") }
            return .text(text)
        case .number(let range, _):
            guard let text = reader.string(forKey: key) else { return nil }
            guard let number = Int(text), range.contains(number) else {
                throw SettingError("\(names) must be a whole number in \(range.lowerBound)…\(range.upperBound) (got '\(text.prefix(64))').")
            }
            return .number(number)
        }
    }

    /// The command line's settings: `--flag value`, `--flag=value`, and a bare `--flag` for an on/off setting (which
    /// takes a value only as `--flag=value`). A word that is no option's value, an unknown option and an option given
    /// twice are refused: a value must never be dropped for the default in silence.
    private static func commandLineValues(_ arguments: [String]) throws -> [AbsoluteConfigKey: ConfigValue] {
        let known = Dictionary(uniqueKeysWithValues: (all + [configFile]).map { ($0.flag, $0) })
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else {
                throw SettingError("'\(argument.prefix(64))' is not an option; options look like --port 8080 (`gstacks server --help` lists them).")
            }
            let flag = String(argument.prefix { $0 != "=" })
            guard let setting = known[flag] else { throw SettingError("Unknown option '\(flag.prefix(64))'; `gstacks server --help` lists them.") }
            let key = AbsoluteConfigKey(ConfigKey(setting.key))
            guard values[key] == nil else { throw SettingError("\(flag) is given twice.") }
            let text: String
            if let equals = argument.firstIndex(of: "=") {
                text = String(argument[argument.index(after: equals)...])
            } else if case .flag = setting.kind {
                text = "true"
            } else {
                guard index < arguments.endIndex, !arguments[index].hasPrefix("--") else {
                    throw SettingError("\(flag) needs a value (\(flag)=VALUE when it starts with --).")
                }
                text = arguments[index]
                index += 1
            }
            values[key] = ConfigValue(.string(text), isSecret: setting.isSecret)
        }
        return values
    }

    /// A value in the config file: text, a whole number or true/false.
    private enum FileValue: Decodable {
        case text(String)
        case number(Int)
        case flag(Bool)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                self = .flag(flag)
            } else if let number = try? container.decode(Int.self) {
                self = .number(number)
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        var text: String {
            switch self {
            case .text(let text): text
            case .number(let number): String(number)
            case .flag(let flag): flag ? "true" : "false"
            }
        }
    }

    /// The config file's settings, as text like the other sources give them.
    private static func fileValues(_ path: String) throws -> [AbsoluteConfigKey: ConfigValue] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SettingError("The config file \(path) cannot be read: \(error.localizedDescription)")
        }
        guard let object = try? JSONDecoder().decode([String: FileValue].self, from: data) else {
            throw SettingError("The config file \(path) is not a JSON object of settings (text, whole numbers, true or false).")
        }
        let settings = Dictionary(uniqueKeysWithValues: all.map { ($0.fileKey, $0) })
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for (name, value) in object {
            guard let setting = settings[name] else {
                throw SettingError("The config file \(path) names '\(name.prefix(64))', which is not a setting; `gstacks server --help` lists them.")
            }
            values[AbsoluteConfigKey(ConfigKey(setting.key))] = ConfigValue(.string(value.text), isSecret: setting.isSecret)
        }
        return values
    }

    /// Every setting with its flag, variable, allowed values and default, for `gstacks server --help`.
    public static var help: String {
        let defaults = ServerConfiguration()
        return (all + [configFile]).map { setting in
            var line = "\(setting.flag)\(setting.valueHint)  [\(setting.environmentVariable)]\n    \(setting.help)"
            if let shown = setting.shows?(defaults) { line += " Default: \(shown)." }
            return line
        }.joined(separator: "\n")
    }
}

extension ServerSettings.Setting {
    var valueHint: String {
        switch kind {
        case .flag: ""
        case .text: " <text>"
        case .number(let range, let unit): " <\(range.lowerBound)…\(range.upperBound)\(unit.map { " \($0)" } ?? "")>"
        case .choice(let choices): " <\(choices.joined(separator: "|"))>"
        }
    }
}

/// A setting that cannot be used, with what to do.
public struct SettingError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
