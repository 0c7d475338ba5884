import Foundation
import GlobalStacksDomain

/// Everything `gstacks server` can be told, with production defaults.
public struct ServerConfiguration: Sendable {
    public enum Database: Sendable, Equatable {
        /// An SQLite file (created with its directory on first start).
        case sqlite(path: String)
        /// `postgres://user:password@host:port/database`.
        case postgres(url: String)
    }

    public var host = "127.0.0.1"
    public var port = 8080
    /// Where the SQLite database (unless `database` is PostgreSQL) and the embedded agent live.
    public var dataDirectory = "./data"
    public var database = Database.sqlite(path: "./data/gstacks.sqlite")
    /// The address people use to reach this server (invitation links are built from it).
    public var publicURL: String?
    /// Mark the session cookie `Secure` (set when clients reach the server over HTTPS, e.g. behind a TLS proxy).
    public var secureCookies = false
    /// Let anyone create an account with `POST /v1/signup`.
    public var allowSignUp = false
    /// The first site admin, created on an empty database when both are given.
    public var initialAdminEmail: String?
    public var initialAdminPassword: String?
    /// bcrypt work factor (4…31). 12 is the production default; tests lower it.
    public var bcryptCost = 12
    /// Limits on client connections (how many, how long a head may take, idle keep-alive).
    public var connections = ConnectionSettings()
    /// Largest request body accepted, in bytes (file uploads into sandboxes are streamed and have their own limit).
    public var maxRequestBodyBytes = 1 << 20
    /// Largest file an upload may write into a sandbox.
    public var maximumSandboxFileBytes: Int64 = 4 << 30
    public var sessionIdleTimeout: TimeInterval = 12 * 3600
    public var sessionAbsoluteLifetime: TimeInterval = 7 * 86_400
    /// Sign-in attempts allowed per account (and, ×4, per client address) in `loginWindow` before a lock-out.
    public var loginAttemptsPerWindow = 5
    public var loginWindow: TimeInterval = 15 * 60
    /// The directory whose `<tenant external id>/` subdirectories hold each tenant's credential files and
    /// directory exports (nil: provider connections cannot use files).
    public var credentialsDirectory: String?
    /// Where uploaded extension manifests and artifacts are kept (nil: `extension-content` in the data directory).
    public var contentDirectory: String?
    /// An `artifact_cache` object store that keeps extension manifests and artifacts instead of `contentDirectory`.
    public var artifactCacheStore: String?
    /// The 32-byte key that seals extension secret settings (nil: `secret.key` in the data directory, created once).
    public var secretKeyFile: String?
    /// A JSON file listing the OpenID providers people may sign in with by device code (docs/oidc.md); nil: none.
    public var oidcProvidersFile: String?
    /// Workers that run extension invocations (apart from the other operation runs, which a long invocation would
    /// otherwise hold up).
    public var invocationWorkers = 4
    /// Operation run workers (count, lease, retries, retention).
    public var workers = WorkerSettings()
    /// How long an agent has to finish a sandbox command before it fails (its agent stayed away or stalled).
    public var commandDeadline: TimeInterval = 300
    /// How often the reconciler fails overdue commands and stops or hibernates idle sandboxes.
    public var reconcileInterval: TimeInterval = 2
    /// How often the gateway sends the contract's `ping` on each agent connection.
    public var agentPingInterval: Duration = .seconds(30)
    /// Run an agent inside the server, enrolled into the managed cluster `local`, keeping its key and sandboxes
    /// in this directory (nil: no embedded agent).
    public var embeddedAgentDirectory: String?
    /// Register the `test.*` operation types (tests and benchmarks only).
    public var enableTestOperations = false
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var logLevel = "info"

    /// Where the other replicas reach this one to relay workspace requests to the agents connected here
    /// (PostgreSQL only; one SQLite server has no other replica).
    public var relayURL: String?
    /// A wildcard domain for sandbox ports (`{port}-{sandbox id}.{domain}`, the E2B-compatible host names); nil: ports
    /// are reached by path or by the E2B headers only.
    public var sandboxDomain: String?

    public init() {}

    /// `relayURL` with PostgreSQL; nil otherwise (no relaying). Not guessed from the listening address: a guess
    /// (loopback, say) would send callers' credentials to whatever listens there on another host.
    public var resolvedRelayURL: String? {
        guard case .postgres = database, let relayURL, !relayURL.isEmpty else { return nil }
        return relayURL.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    /// The scheme, host and port of `resolvedPublicURL`, as a browser's `Origin` header shows them.
    var publicOrigin: String {
        guard let url = URL(string: resolvedPublicURL), let scheme = url.scheme, let host = url.host else { return resolvedPublicURL }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    /// The base of links the server hands out.
    public var resolvedPublicURL: String {
        (publicURL ?? "http://\(host):\(port)").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }
}

extension CredentialLifetime {
    init(_ configuration: ServerConfiguration) {
        self.init(sessionIdleTimeout: configuration.sessionIdleTimeout, sessionAbsoluteLifetime: configuration.sessionAbsoluteLifetime)
    }
}

extension ServerConfiguration {
    /// The invocation pool: the operation workers' settings with its own count.
    var invocationWorkerSettings: WorkerSettings {
        var settings = workers
        settings.count = invocationWorkers
        return settings
    }

    /// The OpenID providers of `oidc.providers.file` (none without one); a file that cannot be read or is invalid
    /// stops start-up with the reason.
    func oidcProviders() throws -> [OIDCProvider] {
        guard let file = oidcProvidersFile else { return [] }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DomainError.invalidInput("The OIDC providers file \(file) cannot be read.")
        }
        return try OIDCProvider.parse(data)
    }
}
