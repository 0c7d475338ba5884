import Foundation

// Additions to the agent contract: data-plane services. `start_service` and `remove_service` are stored commands,
// delivered at least once (like the session lifecycle), so the agent carries out each idempotently. A service is a
// supervised, confined, long-running process with a persistent data directory; the tenant's sandboxes on the same
// agent reach it through its socket directory only (no network).

/// `start_service`: run a data-plane service (or keep running it; another spec restarts it with that one).
public struct StartServicePayload: Sendable, Equatable, Codable {
    /// The data-plane instance's id (a UUID): names the service's directories on the agent.
    public let serviceId: String
    /// Whose sandboxes see the service's socket directory.
    public let tenantId: String
    /// The service's command line, run confined with its data directory at `/data` and its socket directory at
    /// `/run/service`.
    public var command: [String]
    /// Run once, confined the same way, before the first start (again on a later start until it succeeds).
    public var initCommand: [String]?
    public var environment: [String: String]?
    /// `cpu` and `memory` as Kubernetes quantities.
    public var resources: [String: String]?
    public var healthCheck: ServiceHealthCheck?

    public init(
        serviceId: String, tenantId: String, command: [String], initCommand: [String]? = nil, environment: [String: String]? = nil,
        resources: [String: String]? = nil, healthCheck: ServiceHealthCheck? = nil
    ) {
        self.serviceId = serviceId
        self.tenantId = tenantId
        self.command = command
        self.initCommand = initCommand
        self.environment = environment
        self.resources = resources
        self.healthCheck = healthCheck
    }

    /// Where a sandbox of the service's tenant sees the socket directory of service `serviceId`.
    public static func socketDirectory(_ serviceId: String) -> String { "/run/globalstacks/data-plane/\(serviceId)" }
}

/// A command run periodically, confined like the service with only its socket directory (at `/run/service`); exit
/// status 0 passes.
public struct ServiceHealthCheck: Sendable, Equatable, Codable {
    public var command: [String]
    /// Seconds between checks once the service has passed one (default 10).
    public var intervalSeconds: Int?
    /// Seconds a check may take before it counts as failed (default 5).
    public var timeoutSeconds: Int?
    /// Failures in a row that make a healthy service unhealthy (default 3).
    public var failureThreshold: Int?

    public init(command: [String], intervalSeconds: Int? = nil, timeoutSeconds: Int? = nil, failureThreshold: Int? = nil) {
        self.command = command
        self.intervalSeconds = intervalSeconds
        self.timeoutSeconds = timeoutSeconds
        self.failureThreshold = failureThreshold
    }
}

/// `remove_service`: the service and nothing else.
public struct ServiceReference: Sendable, Equatable, Codable {
    public let serviceId: String

    public init(serviceId: String) {
        self.serviceId = serviceId
    }
}

/// The result of `start_service`.
public struct StartServiceResult: Sendable, Equatable, Codable {
    /// Where the tenant's sandboxes see the service's socket directory.
    public let socketDirectory: String

    public init(socketDirectory: String) {
        self.socketDirectory = socketDirectory
    }
}

/// `service_status`: sent when a service's state changes, and again every 30 s while it is healthy (a control plane
/// that restarted learns it), and for every service on each connect.
public struct ServiceStatusMessage: Sendable, Equatable, Codable {
    public let serviceId: String
    /// `starting`, `healthy`, `unhealthy`, `restarting` or `failed`.
    public let state: String
    /// Why it is unhealthy, restarting or failed (e.g. the end of its output).
    public let reason: String?
    public let health: ServiceHealth

    public init(serviceId: String, state: String, reason: String?, health: ServiceHealth) {
        self.serviceId = serviceId
        self.state = state
        self.reason = reason
        self.health = health
    }

    public enum State: String, Sendable, CaseIterable {
        case starting, healthy, unhealthy, restarting, failed
    }
}

/// The last health check and the process's history since the service was last started.
public struct ServiceHealth: Sendable, Equatable, Codable {
    public var checkedAt: Date?
    public var passed: Bool?
    /// The last check's output, at most `maximumOutput` characters.
    public var output: String?
    public var consecutiveFailures: Int
    public var restarts: Int
    public var startedAt: Date?
    /// How the process last ended: its exit code, or 128 + the signal.
    public var lastExitStatus: Int32?

    public init(
        checkedAt: Date? = nil, passed: Bool? = nil, output: String? = nil, consecutiveFailures: Int = 0, restarts: Int = 0, startedAt: Date? = nil,
        lastExitStatus: Int32? = nil
    ) {
        self.checkedAt = checkedAt
        self.passed = passed
        self.output = output
        self.consecutiveFailures = consecutiveFailures
        self.restarts = restarts
        self.startedAt = startedAt
        self.lastExitStatus = lastExitStatus
    }

    public static let maximumOutput = 1_000
}
