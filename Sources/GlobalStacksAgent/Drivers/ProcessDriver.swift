import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Logging

/// Runs each sandbox as a process tree on this host, confined by `SandboxIsolation` and `ResourceLimits`, in its own
/// process group so that stop, hibernate (SIGSTOP) and wake (SIGCONT) reach every process of it. Each sandbox has a
/// private directory `<root>/<sandbox id>` (its `/workspace`), with the process's output in `output.log`. A sandbox
/// that asks for storage may hold at most that much there (output included): no file may grow past it, and one
/// whose directory does is ended and reported failed with the reason. The directory stays after the sandbox stops
/// (its output stays readable) until the sandbox is deleted. A sandbox started from a template (`rootTemplate`) sees
/// that template's root, read-only, through an overlay with a writable layer of its own (`SandboxLayer`), instead of
/// the host's system directories: nothing of the host's root is visible to it, and its storage limit counts that
/// layer too.
public actor ProcessDriver: SandboxDriver {
    private struct Running {
        let pid: pid_t
        let limits: ResourceLimits
        let storageLimit: Int64?
        let workspace: URL
        /// The sandbox's own variables, which processes started in it later get too.
        let environment: [String: String]
        var frozen = false
        var stopRequested = false
        /// Set when the driver ends the sandbox itself.
        var failure: String?
    }

    /// Time a stopped sandbox gets between SIGTERM and SIGKILL.
    static let stopGracePeriod: Duration = .seconds(5)
    /// How often the directory of a sandbox with a storage limit is measured.
    private let storageCheckInterval: Duration

    private let root: URL
    /// Whose socket directories a sandbox of a tenant sees (nil: none).
    private let services: ServiceDirectories?
    /// Templates' roots, when this agent starts sandboxes from templates.
    private let templates: TemplateStore?
    private let scope: ResourceLimits.Scope
    private let isolation: SandboxIsolation
    /// The binary whose `sandbox-port-relay` subcommand reaches a sandbox's ports (`PortRelay`): this agent's own.
    private let relayExecutable: String?
    private let logger: Logger
    private var sessions: [String: Running] = [:]
    private var exitWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    public nonisolated let exits: AsyncStream<SessionExit>
    private let exitContinuation: AsyncStream<SessionExit>.Continuation

    /// Refuses to run sandboxes unconfined (no bubblewrap) unless `allowUnconfined`: such a sandbox runs as the
    /// agent's user and could read the agent's key and other sandboxes' directories. Ends what an earlier run of an
    /// agent on `root` left behind first (`Leftovers`). A confined sandbox of a tenant sees that tenant's directory of
    /// `services` read-only at `/run/globalstacks/data-plane` (`ServiceDirectories`). `relayExecutable` is the `gstacks`
    /// binary that relays to a sandbox's ports (default: this process's own, as it is when the agent starts).
    public init(
        root: URL, isolation: SandboxIsolation = .detect(), allowUnconfined: Bool = false, storageCheckInterval: Duration = .seconds(5),
        services: ServiceDirectories? = nil, templates: TemplateStore? = nil, relayExecutable: String? = PortRelay.ownExecutable(), logger: Logger
    ) throws {
        if isolation == .plain {
            guard allowUnconfined else {
                throw DriverError("bubblewrap (bwrap) is not installed, so sandboxes could not be confined. Install it (apt-get install bubblewrap), or pass --allow-unconfined to run them as plain processes of this agent's user.")
            }
            logger.warning("--allow-unconfined: sandboxes run as plain child processes of this agent, NOT isolated from the host or from each other")
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        Leftovers.end(under: root, logger: logger)
        self.root = root
        self.services = services
        self.templates = templates
        scope = ResourceLimits.Scope(root: root)
        self.isolation = isolation
        self.relayExecutable = relayExecutable
        self.storageCheckInterval = storageCheckInterval
        self.logger = logger
        (exits, exitContinuation) = AsyncStream.makeStream(of: SessionExit.self)
    }

    public func start(_ session: StartSessionPayload) async throws {
        let id = session.sessionId
        guard sessions[id] == nil else { return }
        guard let command = session.command, !command.isEmpty else {
            throw DriverError("The process driver runs a command; this sandbox names only a template.")
        }
        try Self.requireValid(id)
        if let directory = session.workingDirectory, !directory.hasPrefix("/") || directory.contains("\0") {
            throw DriverError("workingDirectory must be an absolute path inside the sandbox.", kind: .invalidInput)
        }
        let serviceSockets = try session.tenantId.flatMap { try tenantServices($0) }
        let workspace = root.appendingPathComponent(id)
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var template: (root: URL, layer: SandboxLayer)?
        if let artifact = session.rootTemplate {
            template = try await templateRoot(artifact, sessionID: id, workspace: workspace)
        }
        // Started meanwhile (the template's fetch let other commands in).
        guard sessions[id] == nil else { return }
        let cpu = try session.resources?["cpu"].map { try CPUQuantity(parsing: $0).millicores }
        let memory = try session.resources?["memory"].map { try ByteQuantity(parsing: $0).bytes }
        // Storage 0 means the sandbox asked for none: its directory is not limited.
        let storage = try session.resources?["storage"].map { try ByteQuantity(parsing: $0).bytes }.flatMap { $0 > 0 ? $0 : nil }
        let limits = ResourceLimits.prepare(scope: scope, sessionID: id, cpuMillicores: cpu, memoryBytes: memory, fileSizeBytes: storage, logger: logger)
        var environment = session.environment ?? [:]
        environment.merge(["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": isolation.workspacePath(hostDirectory: workspace), "GSTACKS_SANDBOX_ID": id]) { _, ours in ours }
        let extra = serviceSockets.map { ["--ro-bind", $0.path, "/run/globalstacks/data-plane"] } ?? []
        let pid: pid_t
        do {
            let argv: [String]
            if let template {
                let (templateRoot, layer) = template
                let mount = OverlayMount(lowers: [templateRoot], writable: (layer.upper, layer.work), merged: layer.merged)
                argv = try limits.prefix + mount.argv(isolation.templateArgv(
                    command, root: layer.merged, binds: ["--bind", workspace.path, "/workspace"] + extra, directory: session.workingDirectory ?? "/workspace",
                    network: session.network ?? false, environment: environment, newSession: limits.freezer != nil
                ))
            } else {
                argv = limits.prefix + isolation.argv(
                    command, workspace: workspace, network: session.network ?? false, environment: environment, newSession: limits.freezer != nil, extra: extra
                )
            }
            let output = workspace.appendingPathComponent("output.log").path
            pid = try ProcessSpawn.spawn(argv, standard: [
                (0, .path("/dev/null", flags: O_RDONLY)), (1, .path(output, flags: O_WRONLY | O_CREAT | O_APPEND)), (2, .sameAs(1)),
            ])
        } catch {
            limits.release()
            throw error
        }
        sessions[id] = Running(pid: pid, limits: limits, storageLimit: storage, workspace: workspace, environment: environment)
        logger.info("Sandbox started", metadata: ["sandbox_id": "\(id)", "pid": "\(pid)", "isolation": "\(isolation)"])
        if let storage {
            Task { await self.watchStorage(id, pid: pid, directories: [workspace] + (template.map { [$0.layer.upper] } ?? []), limit: storage) }
        }
        // Reaped only once `exited` has signalled what the process left in its group.
        ProcessSpawn.waitUnreaped(for: pid) { status, reaper in
            Task {
                await self.exited(id, pid: pid, status: status)
                reaper.reap()
            }
        }
        if let ready = session.readyCommand, !ready.isEmpty {
            do {
                try await ReadinessCheck.wait(for: ready, entry: { try await self.entry(id) }, isRunning: { await self.runs(id, pid: pid) })
            } catch {
                try? await stop(id)
                throw DriverError("Sandbox \(id) did not become ready: \(error); it was stopped.")
            }
        }
    }

    /// The root of the sandbox's template (fetched if need be) and its writable layer over it. At the sandbox's first
    /// start, what the template holds in `/workspace` (a snapshot's workspace files) is copied into its workspace.
    private func templateRoot(_ artifact: TemplateArtifact, sessionID: String, workspace: URL) async throws -> (root: URL, layer: SandboxLayer) {
        guard case .bubblewrap = isolation else {
            throw DriverError("This agent has no bubblewrap, so it cannot start sandboxes from templates.", kind: .conflict)
        }
        guard let templates else { throw DriverError("This agent keeps no templates.", kind: .conflict) }
        let templateRoot: URL
        do {
            templateRoot = try await templates.root(artifact)
        } catch {
            throw DriverError("could not fetch template \(artifact.digest): \(error)")
        }
        let layer = SandboxLayer(driverRoot: root, sessionID: sessionID)
        if !layer.exists {
            try await Self.copyWorkspace(of: templateRoot, into: workspace)
        }
        try layer.prepare(templateHex: templateRoot.lastPathComponent)
        return (templateRoot, layer)
    }

    /// Copies the template's `/workspace` (when it is a directory, not a link) into the sandbox's workspace directory.
    private static func copyWorkspace(of templateRoot: URL, into workspace: URL) async throws {
        let source = templateRoot.appendingPathComponent("workspace")
        // attributesOfItem does not follow a link: a `/workspace` link in the template is not copied.
        guard (try? FileManager.default.attributesOfItem(atPath: source.path)[.type] as? FileAttributeType) == .typeDirectory else { return }
        let (status, errors) = try await ConfinedProcess.run(["/bin/cp", "-a", "--", source.path + "/.", workspace.path + "/"])
        guard status == 0 else { throw DriverError("Copying the template's /workspace into the sandbox's failed: \(errors)") }
    }

    public func stop(_ sessionID: String) async throws {
        guard var running = sessions[sessionID] else { return }
        running.stopRequested = true
        sessions[sessionID] = running
        // A frozen sandbox must run to handle SIGTERM.
        if !running.limits.setFrozen(false) { kill(-running.pid, SIGCONT) }
        Self.signal(running, SIGTERM)
        let escalation = Task { [pid = running.pid] in
            try await Task.sleep(for: Self.stopGracePeriod)
            self.killIfRunning(sessionID, pid: pid)
        }
        await withCheckedContinuation { continuation in
            if sessions[sessionID] == nil { continuation.resume() } else { exitWaiters[sessionID, default: []].append(continuation) }
        }
        escalation.cancel()
    }

    public func delete(_ sessionID: String) async throws {
        try Self.requireValid(sessionID)
        // A deleted sandbox has been stopped; should a process remain anyway, it must not outlive the directory.
        try await stop(sessionID)
        _ = ResourceLimits.endLeftovers(in: scope, sandbox: sessionID)
        let workspace = root.appendingPathComponent(sessionID)
        do {
            try SandboxLayer(driverRoot: root, sessionID: sessionID).remove()
        } catch {
            throw DriverError("Removing the sandbox's writable layer failed: \(error.localizedDescription)")
        }
        guard FileManager.default.fileExists(atPath: workspace.path) else { return }
        do {
            try FileManager.default.removeItem(at: workspace)
        } catch {
            throw DriverError("Removing the sandbox's directory \(workspace.path) failed: \(error.localizedDescription)")
        }
        logger.info("Sandbox deleted with its directory", metadata: ["sandbox_id": "\(sessionID)"])
    }

    public func hibernate(_ sessionID: String) async throws {
        guard let running = sessions[sessionID] else { throw DriverError("Sandbox \(sessionID) has no process on this host to freeze.") }
        guard running.limits.setFrozen(true) || kill(-running.pid, SIGSTOP) == 0 else { throw DriverError("Freezing sandbox \(sessionID) failed (errno \(errno)).") }
        sessions[sessionID]?.frozen = true
    }

    public func wake(_ sessionID: String) async throws {
        guard let running = sessions[sessionID] else { throw DriverError("Sandbox \(sessionID) has no process on this host to thaw; it ended while frozen.") }
        guard running.limits.setFrozen(false) || kill(-running.pid, SIGCONT) == 0 else { throw DriverError("Thawing sandbox \(sessionID) failed (errno \(errno)).") }
        sessions[sessionID]?.frozen = false
    }

    public func entry(_ sessionID: String) async throws -> SandboxEntry {
        guard let running = sessions[sessionID], !running.stopRequested else {
            throw DriverError("Sandbox \(sessionID) has no running process on this host; start it (or wake it) first.", kind: .conflict)
        }
        guard !running.frozen else { throw DriverError("Sandbox \(sessionID) is hibernated; wake it first.", kind: .conflict) }
        let isolation = self.isolation
        // bubblewrap's first child is the sandbox's init: inside every namespace, with the sandbox's root.
        // A sandbox reported running may still be inside bubblewrap's set-up for a moment: wait for it (≤ 10 s).
        var found: pid_t?
        for _ in 0..<500 where isolation != .plain {
            found = Self.firstChild(of: running.pid).flatMap { Self.isInside($0, workspace: running.workspace) && Self.mapsSandboxUser($0) ? $0 : nil }
            if found != nil || sessions[sessionID]?.pid != running.pid { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let initPID = found
        if isolation != .plain, initPID == nil {
            throw DriverError("Sandbox \(sessionID) is still starting; try again in a moment.", kind: .conflict)
        }
        let limitsPrefix = running.limits.prefix
        let environment = running.environment
        let workspace = running.workspace
        let portRelayArgv = relayExecutable.map { executable in
            { @Sendable (port: Int) in isolation.portRelayArgv(port: port, initPID: initPID ?? 0, executable: executable) }
        }
        return SandboxEntry(workspace: workspace, storageLimit: running.storageLimit, processArgv: { command, added, directory in
            limitsPrefix + isolation.enterArgv(
                command, initPID: initPID ?? 0, workspace: workspace, directory: directory,
                environment: environment.merging(added) { _, added in added }.merging(["GSTACKS_SANDBOX_ID": sessionID]) { _, ours in ours }
            )
        }, portRelayArgv: portRelayArgv)
    }

    public func isRunning(_ sessionID: String) async -> Bool { sessions[sessionID] != nil }

    /// Whether the sandbox's process is still the one started as `pid`.
    private func runs(_ sessionID: String, pid: pid_t) -> Bool { sessions[sessionID]?.pid == pid }

    public func withFilesystem<T: Sendable>(_ sessionID: String, _ body: @Sendable (SandboxFilesystem) async throws -> T) async throws -> T {
        try Self.requireValid(sessionID)
        let layer = SandboxLayer(driverRoot: root, sessionID: sessionID)
        guard let hex = layer.templateHex, let templateRoot = templates?.path(hex: hex), FileManager.default.fileExists(atPath: templateRoot.path) else {
            throw DriverError("Sandbox \(sessionID) was not started from a template on this host; only such a sandbox can be saved.", kind: .conflict)
        }
        var frozenHere: pid_t?
        if let running = sessions[sessionID], !running.frozen {
            guard running.limits.setFrozen(true) || kill(-running.pid, SIGSTOP) == 0 else {
                throw DriverError("Freezing sandbox \(sessionID) for its snapshot failed (errno \(errno)).")
            }
            frozenHere = running.pid
        }
        defer {
            // Thawed unless it ended, or was hibernated, meanwhile.
            if let pid = frozenHere, let running = sessions[sessionID], running.pid == pid, !running.frozen {
                if !running.limits.setFrozen(false) { kill(-pid, SIGCONT) }
            }
        }
        return try await body(SandboxFilesystem(templateRoot: templateRoot, upper: layer.upper, workspace: root.appendingPathComponent(sessionID)))
    }

    public func workspace(_ sessionID: String) async -> URL? {
        guard (try? Self.requireValid(sessionID)) != nil else { return nil }
        let workspace = root.appendingPathComponent(sessionID)
        return FileManager.default.fileExists(atPath: workspace.path) ? workspace : nil
    }

    /// The tenant's directory of service socket directories, created if need be, when sandboxes see one.
    private func tenantServices(_ tenantID: String) throws -> URL? {
        guard let services, isolation != .plain else { return nil }
        try ServiceDirectories.requireValid(tenantID, "tenant")
        let directory = services.tenant(tenantID)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return directory
    }

    /// Sandbox ids name directories: letters, digits and '-' only.
    private static func requireValid(_ id: String) throws {
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { throw DriverError("Invalid sandbox id.") }
    }

    /// Whether the process's root is the finished sandbox: its `/workspace` is the sandbox's directory. Until
    /// bubblewrap has pivoted into the new root, its init's root is still the host's, and entering it then would
    /// run the command on the host's filesystem.
    private static func isInside(_ pid: pid_t, workspace: URL) -> Bool {
        func identity(_ path: String) -> [AnyHashable]? {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let device = attributes[.systemNumber] as? AnyHashable, let inode = attributes[.systemFileNumber] as? AnyHashable
            else { return nil }
            return [device, inode]
        }
        guard let inside = identity("/proc/\(pid)/root/workspace") else { return false }
        return inside == identity(workspace.path)
    }

    /// Whether the process's user namespace maps the sandbox's user and group (65534) yet: bubblewrap writes the final
    /// mapping after the root is in place, and entering before it fails (`nsenter: setgid failed`). A line
    /// `inside outside count` maps inside ids from `inside` on.
    private static func mapsSandboxUser(_ pid: pid_t) -> Bool {
        ["uid_map", "gid_map"].allSatisfy { file in
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/\(file)", encoding: .utf8) else { return false }
            return text.split(separator: "\n").contains { line in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true).compactMap { Int64($0) }
                return fields.count == 3 && fields[0] <= 65_534 && 65_534 < fields[0] + fields[2]
            }
        }
    }

    /// The first child of a process (bubblewrap's init inside the sandbox's namespaces).
    private static func firstChild(of pid: pid_t) -> pid_t? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    public func sessions() async -> [String] { Array(sessions.keys) }

    public func stopAll() async {
        for id in sessions.keys {
            try? await stop(id)
        }
    }

    /// Measures the sandbox's directory until its process ends; one over `limit`, or whose directory cannot be
    /// measured, is ended. The walk runs off the actor, so a directory of many files delays no other sandbox.
    private func watchStorage(_ id: String, pid: pid_t, directories: [URL], limit: Int64) async {
        while true {
            try? await Task.sleep(for: storageCheckInterval)
            guard sessions[id]?.pid == pid else { return }
            let measure = await Task.detached(priority: .utility) { DiskUsage.measure(directories, limit: limit) }.value
            // The sandbox may have ended, or been stopped, while the walk ran.
            guard let running = sessions[id], running.pid == pid, !running.stopRequested else { return }
            let reason: String
            switch measure {
            case .within:
                continue
            case .over(let used):
                reason = "The sandbox used at least \(ByteQuantity(bytes: used)) of disk in its directory, more than its storage limit of \(ByteQuantity(bytes: limit)); it was stopped."
            case .unmeasurable(let problem):
                reason = "The sandbox's disk use could not be measured against its storage limit (\(problem)); it was stopped."
            }
            logger.warning("Sandbox over its storage limit; stopping it", metadata: ["sandbox_id": "\(id)", "reason": "\(reason)"])
            sessions[id]?.failure = reason
            // A frozen process must run to die.
            if !running.limits.setFrozen(false) { kill(-running.pid, SIGCONT) }
            Self.signal(running, SIGKILL)
            return
        }
    }

    private func exited(_ id: String, pid: pid_t, status: Int32) {
        guard let running = sessions.removeValue(forKey: id) else { return }
        // Whatever the first process left behind.
        _ = running.limits.setFrozen(false)
        Self.signal(running, SIGKILL)
        running.limits.release()
        let exitStatus = ProcessSpawn.exitCode(status) ?? 128 + Int(ProcessSpawn.terminatingSignal(status) ?? 0)
        logger.info("Sandbox process ended", metadata: ["sandbox_id": "\(id)", "exit_status": "\(exitStatus)", "requested": "\(running.stopRequested)"])
        if !running.stopRequested {
            var reason = running.failure
            if reason == nil, let limit = running.storageLimit, exitStatus == 128 + Int(SIGXFSZ) {
                reason = "The sandbox ended with status \(exitStatus) (SIGXFSZ), most likely writing a file larger than its storage limit of \(ByteQuantity(bytes: limit))."
            }
            // A failure says why in the sandbox's own words (bubblewrap's "execvp …: No such file", a traceback).
            if reason == nil, exitStatus != 0 {
                let tail = OutputTail.read(running.workspace.appendingPathComponent(SandboxEntry.outputFile))
                reason = "The sandbox's process exited with status \(exitStatus)" + (tail.isEmpty ? "." : "; the end of its output: \(tail)")
            }
            exitContinuation.yield(SessionExit(sessionID: id, exitStatus: exitStatus, reason: reason))
        }
        for waiter in exitWaiters.removeValue(forKey: id) ?? [] { waiter.resume() }
    }

    /// Kills the sandbox's processes unless its process already ended (its entry goes before it is reaped).
    private func killIfRunning(_ id: String, pid: pid_t) {
        guard let running = sessions[id], running.pid == pid else { return }
        Self.signal(running, SIGKILL)
    }

    /// Every process of the sandbox: through its cgroup when it has one, else its process group.
    private static func signal(_ running: Running, _ signal: Int32) {
        if !running.limits.signalAll(signal) { kill(-running.pid, signal) }
    }
}
