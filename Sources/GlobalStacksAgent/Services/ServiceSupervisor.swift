import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Logging

/// Keeps the data-plane services of this host running. Each runs confined like a sandbox (`SandboxIsolation`, its
/// own namespaces including the network's, CPU and memory limits from `ResourceLimits`, its own process group), with
/// its persistent data directory at `/data` and its socket directory at `/run/service` as its only writable places
/// besides a private tmpfs `/tmp` (`ServiceDirectories`). Its init command runs once before its first start; its
/// process is restarted with backoff whenever it ends, until it fails `maximumFailures` times in a row; its health
/// check runs periodically. Each service's spec is kept on disk, so that after the agent (or the host) restarts,
/// `startStored` starts every service again before the control plane says anything. Only `remove` deletes its data.
public actor ServiceSupervisor {
    /// How the supervisor paces restarts, checks and reports (tests shorten them).
    public struct Timing: Sendable {
        /// The first restart's delay, doubled for each failure in a row up to `maximumBackoff`.
        public var initialBackoff: Duration = .seconds(1)
        public var maximumBackoff: Duration = .seconds(30)
        /// A process that stayed up this long ended the run of failures: the next restart waits `initialBackoff`.
        public var stableAfter: Duration = .seconds(60)
        /// Failures in a row after which the service is `failed` and not restarted until it is started again.
        public var maximumFailures = 8
        /// Without a health check, a process that stayed up this long is healthy.
        public var healthyAfter: Duration = .seconds(1)
        /// Until its first pass, a service is checked this often (its declared interval applies from then on); the first
        /// check comes sooner, since most services are ready within a tenth of a second (PostgreSQL: about 50 ms).
        public var startupCheckInterval: Duration = .milliseconds(500)
        public var firstCheckAfter: Duration = .milliseconds(100)
        /// A healthy service's status is sent again this often (a control plane that restarted learns it).
        public var statusInterval: Duration = .seconds(30)
        /// Between SIGTERM and SIGKILL when a service is stopped.
        public var stopGracePeriod: Duration = .seconds(10)
        public var initTimeout: Duration = .seconds(300)

        public init() {}
    }

    private struct Service {
        var spec: StartServicePayload
        /// Changes whenever the service is stopped or started anew: loops and checks of an earlier run stop acting.
        var run: UInt64
        var pid: pid_t?
        var limits: ResourceLimits?
        var supervision: Task<Void, Never>?
        var state: ServiceStatusMessage.State = .starting
        var reason: String?
        var health = ServiceHealth()
        var lastPublished: ContinuousClock.Instant?
    }

    /// Every process of a service starts with it (leftovers of an unconfined service are found by it).
    static let variable = "GSTACKS_SERVICE_ID"
    /// The output file is emptied when a process starts and it is over this size.
    static let outputLimitBytes: Int64 = 16 << 20

    private let directories: ServiceDirectories
    private let isolation: SandboxIsolation
    private let timing: Timing
    private let scope: ResourceLimits.Scope
    private let logger: Logger
    private var services: [String: Service] = [:]
    private var runs: UInt64 = 0
    /// Every change of a service's state, and a healthy service's status every `statusInterval`.
    public nonisolated let statuses: AsyncStream<ServiceStatusMessage>
    private let statusContinuation: AsyncStream<ServiceStatusMessage>.Continuation

    /// Refuses to run services unconfined (no bubblewrap) unless `allowUnconfined`, as the process driver does
    /// sandboxes. Ends what an earlier run of an agent on the same directories left running first (`Leftovers`), so
    /// no two processes of a service ever share its data directory.
    public init(
        directories: ServiceDirectories, isolation: SandboxIsolation = .detect(), allowUnconfined: Bool = false, timing: Timing = Timing(), logger: Logger
    ) throws {
        if isolation == .plain {
            guard allowUnconfined else {
                throw DriverError("bubblewrap (bwrap) is not installed, so data-plane services could not be confined. Install it (apt-get install bubblewrap), or pass --allow-unconfined to run them as plain processes of this agent's user.")
            }
            logger.warning("--allow-unconfined: data-plane services run as plain child processes of this agent, NOT isolated, without /data and /run/service")
        }
        for directory in [directories.root, directories.services, directories.tenants] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        Leftovers.end(under: directories.services, subdirectory: ServiceDirectories.dataDirectoryName, variable: Self.variable, logger: logger)
        self.directories = directories
        self.isolation = isolation
        self.timing = timing
        scope = ResourceLimits.Scope(root: directories.services)
        self.logger = logger
        (statuses, statusContinuation) = AsyncStream.makeStream(of: ServiceStatusMessage.self)
    }

    /// Starts every service kept on this host (after the agent or the host restarted).
    public func startStored() async {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: directories.services.path)) ?? []
        for id in ids.sorted() {
            guard let data = FileManager.default.contents(atPath: directories.spec(id).path) else { continue }
            do {
                let spec = try JSONDecoder().decode(StartServicePayload.self, from: data)
                guard spec.serviceId == id else { continue }
                _ = try await start(spec)
                logger.info("Started a stored service again", metadata: ["service_id": "\(id)"])
            } catch {
                logger.warning("A stored service did not start again", metadata: ["service_id": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// Starts the service once its process runs (after its init, when that has not succeeded yet). A service that
    /// runs with the same spec is left as it is; one with another spec, or one that failed, is started anew. A
    /// failed init fails the start with its output (and is tried again on the next start).
    public func start(_ spec: StartServicePayload) async throws -> StartServiceResult {
        let id = spec.serviceId
        try ServiceDirectories.requireValid(id, "service")
        try ServiceDirectories.requireValid(spec.tenantId, "tenant")
        guard !spec.command.isEmpty, spec.healthCheck.map({ !$0.command.isEmpty }) ?? true else {
            throw DriverError("A service's command and health check command must not be empty.", kind: .invalidInput)
        }
        _ = try Self.limitValues(spec)
        let result = StartServiceResult(socketDirectory: StartServicePayload.socketDirectory(id))
        if let current = services[id], current.spec == spec, current.state != .failed { return result }
        await stopProcess(id)
        if let previous = services[id]?.spec, previous.tenantId != spec.tenantId {
            try? FileManager.default.removeItem(at: directories.sockets(id, tenant: previous.tenantId))
        }
        try prepare(spec)
        runs += 1
        let run = runs
        services[id] = Service(spec: spec, run: run)
        publish(id)
        let pid: pid_t
        do {
            try await initialize(id, run: run)
            pid = try spawn(id, run: run)
        } catch {
            if services[id]?.run == run {
                services[id]?.limits?.release()
                services[id]?.limits = nil
                setState(id, .failed, reason: "\(error)")
            }
            throw error
        }
        services[id]?.supervision = Task { await self.supervise(id, run: run, pid: pid) }
        logger.info("Service started", metadata: ["service_id": "\(id)", "pid": "\(pid)", "isolation": "\(isolation)"])
        return result
    }

    /// Stops the service (SIGTERM, then SIGKILL after the grace period) and deletes everything of it, its data
    /// included. An unknown service is removed already.
    public func remove(_ id: String) async throws {
        try ServiceDirectories.requireValid(id, "service")
        await stopProcess(id)
        services[id] = nil
        _ = ResourceLimits.endLeftovers(in: scope, sandbox: id)
        let tenants = (try? FileManager.default.contentsOfDirectory(atPath: directories.tenants.path)) ?? []
        for directory in [directories.service(id)] + tenants.map({ directories.sockets(id, tenant: $0) })
        where FileManager.default.fileExists(atPath: directory.path) {
            do {
                try FileManager.default.removeItem(at: directory)
            } catch {
                throw DriverError("Removing the service's directory \(directory.path) failed: \(error.localizedDescription)")
            }
        }
        logger.info("Service removed with its data", metadata: ["service_id": "\(id)"])
    }

    /// Stops every service and keeps their files (the agent is ending; the next one starts them again).
    public func stopAll() async {
        for id in services.keys {
            await stopProcess(id)
        }
    }

    /// Sends every service's status again (the agent connected).
    public func republish() {
        for id in services.keys.sorted() {
            publish(id)
        }
    }

    /// The process the service runs now (bubblewrap, or the command itself unconfined).
    public func processID(of id: String) -> pid_t? { services[id]?.pid }

    // MARK: Running

    /// Waits for each process of the service to end and starts the next after the backoff, until the service is
    /// stopped or has failed too often in a row.
    private func supervise(_ id: String, run: UInt64, pid first: pid_t) async {
        var pid = first
        var failures = 0
        while true {
            let startedAt = ContinuousClock.now
            let watcher = Task { [pid] in await self.watch(id, run: run, pid: pid) }
            let status = await Self.exit(of: pid)
            watcher.cancel()
            if let limits = services[id]?.limits, services[id]?.pid == pid {
                // Whatever the process left behind.
                Self.signal(limits, pid, SIGKILL)
                limits.release()
            }
            guard services[id]?.run == run else { return }
            services[id]?.pid = nil
            services[id]?.limits = nil
            let exitStatus = Int32(ProcessSpawn.exitCode(status) ?? 128 + Int(ProcessSpawn.terminatingSignal(status) ?? 0))
            services[id]?.health.lastExitStatus = exitStatus
            let tail = OutputTail.read(directories.output(id))
            let reason = "The service's process exited with status \(exitStatus)" + (tail.isEmpty ? "." : "; the end of its output: \(tail)")
            failures = ContinuousClock.now - startedAt >= timing.stableAfter ? 1 : failures + 1
            logger.warning("Service process ended", metadata: ["service_id": "\(id)", "exit_status": "\(exitStatus)", "failures_in_a_row": "\(failures)"])
            guard failures < timing.maximumFailures else {
                setState(id, .failed, reason: "It ended \(failures) times in a row and is not restarted until it is started again. " + reason)
                return
            }
            services[id]?.health.restarts += 1
            setState(id, .restarting, reason: reason)
            try? await Task.sleep(for: backoff(afterFailures: failures))
            guard services[id]?.run == run, !Task.isCancelled else { return }
            do {
                pid = try spawn(id, run: run)
            } catch {
                setState(id, .failed, reason: "\(error)")
                return
            }
        }
    }

    private func backoff(afterFailures failures: Int) -> Duration {
        min(timing.maximumBackoff, timing.initialBackoff * (1 << min(failures - 1, 16)))
    }

    /// Ends the service's process, if it runs, and its supervision; its files stay.
    private func stopProcess(_ id: String) async {
        guard let service = services[id] else { return }
        runs += 1
        services[id]?.run = runs
        services[id]?.supervision = nil
        service.supervision?.cancel()
        if let pid = service.pid, let limits = service.limits {
            Self.signal(limits, pid, SIGTERM)
            let escalation = Task { [grace = timing.stopGracePeriod] in
                try await Task.sleep(for: grace)
                Self.signal(limits, pid, SIGKILL)
            }
            // The supervision ends when the process has, and releases its groups.
            await service.supervision?.value
            escalation.cancel()
        } else if let limits = service.limits {
            // Prepared for an init (which may still run, in these groups when there are any) or a restart to come.
            _ = limits.signalAll(SIGKILL)
            limits.release()
        }
        services[id]?.pid = nil
        services[id]?.limits = nil
    }

    /// Creates the service's directories and keeps its spec.
    private func prepare(_ spec: StartServicePayload) throws {
        let id = spec.serviceId
        for directory in [directories.service(id), directories.data(id), directories.tenant(spec.tenantId), directories.sockets(id, tenant: spec.tenantId)] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(spec).write(to: directories.spec(id), options: .atomic)
    }

    /// Runs the init command unless it succeeded before; a failure says why in its own words.
    private func initialize(_ id: String, run: UInt64) async throws {
        guard let spec = services[id]?.spec, let command = spec.initCommand, !command.isEmpty,
              !FileManager.default.fileExists(atPath: directories.initialized(id).path)
        else { return }
        let limits = try limits(id)
        let argv = limits.prefix + isolation.serviceArgv(
            command, mounts: mounts(spec), directory: "/data", environment: environment(spec), newSession: limits.freezer != nil
        )
        let (status, timedOut) = try await Self.runToEnd(argv, output: directories.output(id), truncate: false, timeout: timing.initTimeout)
        guard status == 0 else {
            let tail = OutputTail.read(directories.output(id))
            let how = timedOut ? "did not finish within \(timing.initTimeout)" : "exited with status \(status)"
            throw DriverError("The service's init command \(how)" + (tail.isEmpty ? "." : "; the end of its output: \(tail)"))
        }
        guard services[id]?.run == run else { throw DriverError("The service was stopped while its init command ran.") }
        try Data().write(to: directories.initialized(id))
        logger.info("Service initialized", metadata: ["service_id": "\(id)"])
    }

    /// Starts the service's process (its groups prepared first).
    private func spawn(_ id: String, run: UInt64) throws -> pid_t {
        guard let spec = services[id]?.spec, services[id]?.run == run else { throw DriverError("The service was stopped.") }
        let limits = try limits(id)
        let argv = limits.prefix + isolation.serviceArgv(
            spec.command, mounts: mounts(spec), directory: "/data", environment: environment(spec), newSession: limits.freezer != nil
        )
        let output = directories.output(id).path
        if let size = (try? FileManager.default.attributesOfItem(atPath: output))?[.size] as? Int64, size > Self.outputLimitBytes {
            truncate(output, 0)
        }
        let pid: pid_t
        do {
            pid = try ProcessSpawn.spawn(argv, standard: [
                (0, .path("/dev/null", flags: O_RDONLY)), (1, .path(output, flags: O_WRONLY | O_CREAT | O_APPEND)), (2, .sameAs(1)),
            ])
        } catch {
            limits.release()
            services[id]?.limits = nil
            throw error
        }
        services[id]?.pid = pid
        services[id]?.health.startedAt = Date()
        return pid
    }

    /// The service's resource groups, prepared when its process or init is about to start.
    private func limits(_ id: String) throws -> ResourceLimits {
        if let limits = services[id]?.limits { return limits }
        guard let spec = services[id]?.spec else { throw DriverError("The service was stopped.") }
        let (cpu, memory) = try Self.limitValues(spec)
        let limits = ResourceLimits.prepare(scope: scope, sessionID: id, cpuMillicores: cpu, memoryBytes: memory, fileSizeBytes: nil, logger: logger)
        services[id]?.limits = limits
        return limits
    }

    /// A service always runs limited: 1 CPU and 1 GiB unless its spec asks for less or more, and never more than
    /// `maximumCPU` and `maximumMemory` (one tenant's service must not take a shared host).
    static let defaultCPU: Int64 = 1_000, defaultMemory: Int64 = 1 << 30
    static let maximumCPU: Int64 = 8_000, maximumMemory: Int64 = 32 << 30

    private static func limitValues(_ spec: StartServicePayload) throws -> (cpu: Int64?, memory: Int64?) {
        let cpu: Int64, memory: Int64
        do {
            cpu = try spec.resources?["cpu"].map { try CPUQuantity(parsing: $0).millicores } ?? defaultCPU
            memory = try spec.resources?["memory"].map { try ByteQuantity(parsing: $0).bytes } ?? defaultMemory
        } catch {
            throw DriverError("The service's resources: \(error)", kind: .invalidInput)
        }
        guard cpu <= maximumCPU, memory <= maximumMemory else {
            throw DriverError("A service may have at most \(CPUQuantity(millicores: maximumCPU)) CPU and \(ByteQuantity(bytes: maximumMemory)) of memory on this agent.", kind: .invalidInput)
        }
        return (cpu, memory)
    }

    private func mounts(_ spec: StartServicePayload) -> [SandboxIsolation.ServiceMount] {
        [
            .init(host: directories.data(spec.serviceId), inside: "/data", writable: true),
            .init(host: directories.sockets(spec.serviceId, tenant: spec.tenantId), inside: "/run/service", writable: true),
        ]
    }

    private func environment(_ spec: StartServicePayload) -> [String: String] {
        let home = isolation == .plain ? directories.data(spec.serviceId).path : "/data"
        return (spec.environment ?? [:]).merging(["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, Self.variable: spec.serviceId]) { _, ours in ours }
    }

    // MARK: Health

    /// Checks one process of the service until it ends: `healthy` on a pass (or, with no check, once it stayed up
    /// `healthyAfter`), `unhealthy` after `failureThreshold` failures in a row once it had passed (until the first
    /// pass it stays `starting`, or `restarting`). A healthy service's status is sent again every `statusInterval`.
    private func watch(_ id: String, run: UInt64, pid: pid_t) async {
        func isCurrent() -> Bool { services[id]?.run == run && services[id]?.pid == pid }
        guard let spec = services[id]?.spec else { return }
        guard let check = spec.healthCheck else {
            try? await Task.sleep(for: timing.healthyAfter)
            guard isCurrent() else { return }
            setState(id, .healthy, reason: nil)
            while !Task.isCancelled {
                try? await Task.sleep(for: timing.statusInterval)
                guard isCurrent() else { return }
                publish(id)
            }
            return
        }
        let interval = Duration.seconds(max(1, check.intervalSeconds ?? 10))
        let timeout = Duration.seconds(max(1, check.timeoutSeconds ?? 5))
        let threshold = max(1, check.failureThreshold ?? 3)
        var passedOnce = false
        var checks = 0
        while !Task.isCancelled {
            let wait = passedOnce ? interval : min(interval, checks == 0 ? timing.firstCheckAfter : timing.startupCheckInterval)
            checks += 1
            try? await Task.sleep(for: wait)
            guard isCurrent(), let limits = services[id]?.limits else { return }
            let argv = limits.prefix + isolation.serviceArgv(
                check.command, mounts: [.init(host: directories.sockets(id, tenant: spec.tenantId), inside: "/run/service", writable: false)],
                directory: "/run/service", environment: environment(spec), newSession: limits.freezer != nil
            )
            let outcome = try? await Self.runToEnd(argv, output: directories.healthOutput(id), truncate: true, timeout: timeout)
            guard isCurrent() else { return }
            let passed = outcome?.status == 0
            let output = OutputTail.read(directories.healthOutput(id))
            services[id]?.health.checkedAt = Date()
            services[id]?.health.passed = passed
            services[id]?.health.output = String((outcome?.timedOut == true ? "The check did not finish within \(timeout). " + output : output).prefix(ServiceHealth.maximumOutput))
            let failures = passed ? 0 : (services[id]?.health.consecutiveFailures ?? 0) + 1
            services[id]?.health.consecutiveFailures = failures
            if passed {
                passedOnce = true
                setState(id, .healthy, reason: nil)
                if let last = services[id]?.lastPublished, ContinuousClock.now - last >= timing.statusInterval { publish(id) }
            } else if passedOnce, failures >= threshold {
                setState(id, .unhealthy, reason: "The health check failed \(failures) times in a row" + (output.isEmpty ? "." : ": \(output)"))
            }
        }
    }

    // MARK: Reporting

    /// Records the state and sends it when it (or its reason) changed.
    private func setState(_ id: String, _ state: ServiceStatusMessage.State, reason: String?) {
        guard let service = services[id], service.state != state || service.reason != reason else { return }
        services[id]?.state = state
        services[id]?.reason = reason
        if state == .failed { services[id]?.supervision = nil }
        publish(id)
    }

    private func publish(_ id: String) {
        guard let service = services[id] else { return }
        services[id]?.lastPublished = .now
        statusContinuation.yield(ServiceStatusMessage(serviceId: id, state: service.state.rawValue, reason: service.reason, health: service.health))
    }

    // MARK: Processes

    /// Every process of the service: through its cgroup when it has one, and its process group (a process that
    /// was just started may not have joined its cgroup yet).
    private static func signal(_ limits: ResourceLimits, _ pid: pid_t, _ signal: Int32) {
        _ = limits.signalAll(signal)
        kill(-pid, signal)
    }

    /// The process's wait status once it ended.
    private static func exit(of pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            ProcessSpawn.wait(for: pid) { continuation.resume(returning: $0) }
        }
    }

    /// Runs a command to its end, or kills it (its process group) after `timeout`; its output goes to `output`.
    /// Returns its status in the shell's convention.
    private static func runToEnd(_ argv: [String], output: URL, truncate: Bool, timeout: Duration) async throws -> (status: Int, timedOut: Bool) {
        let pid = try ProcessSpawn.spawn(argv, standard: [
            (0, .path("/dev/null", flags: O_RDONLY)), (1, .path(output.path, flags: O_WRONLY | O_CREAT | (truncate ? O_TRUNC : O_APPEND))), (2, .sameAs(1)),
        ])
        let started = ContinuousClock.now
        let deadline = Task {
            try await Task.sleep(for: timeout)
            kill(-pid, SIGKILL)
        }
        let status = await exit(of: pid)
        deadline.cancel()
        let timedOut = ProcessSpawn.terminatingSignal(status) == SIGKILL && ContinuousClock.now - started >= timeout
        return (ProcessSpawn.exitCode(status) ?? 128 + Int(ProcessSpawn.terminatingSignal(status) ?? 0), timedOut)
    }
}
