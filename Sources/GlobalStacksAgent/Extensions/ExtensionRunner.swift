import CGlobalStacksSystem
import Foundation
import GlobalStacksDomain
import GlobalStacksAgentProtocol
import Logging
import Synchronization

/// Runs one operation of an extension (`invoke_extension`): its verified artifact read-only at `/extension`, a fresh
/// empty `/workspace`, the request on stdin, a cleared environment holding only what the payload gives, no network
/// but the egress proxy, CPU and memory limits, a time limit and an output limit. Needs bubblewrap: an agent without
/// it does not offer `extensions.runtime`, and refuses here too.
public final class ExtensionRunner: Sendable {
    private let root: URL
    private let scope: ResourceLimits.Scope
    private let isolation: SandboxIsolation
    private let cache: ArtifactCache
    private let allowLoopbackEgress: Bool
    private let serverURL: URL
    private let logger: Logger
    static let maximumTimeoutSeconds = 3_600.0
    /// Every file an extension writes is capped at this (its workspace is thrown away after the run).
    static let fileSizeLimit: Int64 = 256 << 20

    /// `root` holds the artifact cache and the invocations' workspaces.
    public init(root: URL, serverURL: URL, isolation: SandboxIsolation = .detect(), allowLoopbackEgress: Bool = false, logger: Logger) throws {
        self.root = root
        scope = ResourceLimits.Scope(root: root.appendingPathComponent("runs"))
        self.isolation = isolation
        self.allowLoopbackEgress = allowLoopbackEgress
        self.serverURL = serverURL
        self.logger = logger
        cache = try ArtifactCache(root: root.appendingPathComponent("artifacts"), serverURL: serverURL, isolation: isolation, logger: logger)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("runs"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        Leftovers.end(under: root.appendingPathComponent("runs"), logger: logger)
    }

    /// Whether this agent can run extensions at all.
    public static var isAvailable: Bool {
        if case .bubblewrap = SandboxIsolation.detect() { return true }
        return false
    }

    func invoke(_ payload: InvokeExtensionPayload) async throws -> InvokeExtensionResult {
        guard case .bubblewrap = isolation else {
            throw DriverError("This agent runs no extensions: bubblewrap is not installed (apt-get install bubblewrap).", kind: .conflict)
        }
        let id = payload.invocationId
        guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw DriverError("invocationId must be letters, digits and '-'.", kind: .invalidInput)
        }
        let parts = payload.entrypoint.split(separator: "/", omittingEmptySubsequences: false)
        guard !payload.entrypoint.hasPrefix("/"), !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0 != ".." && $0 != "." }) else {
            throw DriverError("entrypoint must be a relative path inside the artifact, without '..'.", kind: .invalidInput)
        }
        guard payload.timeoutSeconds > 0, payload.timeoutSeconds <= Self.maximumTimeoutSeconds,
              (1...InvokeExtensionPayload.maximumOutputBytes).contains(payload.outputLimitBytes)
        else { throw DriverError("timeout or output limit out of range.", kind: .invalidInput) }
        let egress = !payload.egress.isEmpty || payload.apiToken != nil
        if egress && geteuid() != 0 {
            throw DriverError("This extension declares egress hosts, and this agent's egress proxy needs it to run as root.", kind: .conflict)
        }
        let started = ContinuousClock.now
        let (tree, cached) = try await cache.prepare(payload)
        let entry = try? FileManager.default.attributesOfItem(atPath: tree.appendingPathComponent(payload.entrypoint).path)
        guard entry?[.type] as? FileAttributeType == .typeRegular, ((entry?[.posixPermissions] as? NSNumber)?.intValue ?? 0) & 0o111 != 0 else {
            throw DriverError("The artifact has no executable file \(payload.entrypoint) (its entrypoint); nothing was run.", kind: .invalidInput)
        }
        let workspace = root.appendingPathComponent("runs").appendingPathComponent(id)
        try? FileManager.default.removeItem(at: workspace)
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: workspace) }

        let cpu = try payload.cpu.map { try CPUQuantity(parsing: $0).millicores }
        let memory = try payload.memory.map { try ByteQuantity(parsing: $0).bytes }
        let limits = ResourceLimits.prepare(scope: scope, sessionID: id, cpuMillicores: cpu, memoryBytes: memory, fileSizeBytes: Self.fileSizeLimit, logger: logger)
        defer { limits.release() }
        var environment = payload.environment
        environment.merge(["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/workspace"]) { _, ours in ours }
        if let token = payload.apiToken {
            environment["GLOBALSTACKS_API_URL"] = serverURL.absoluteString.hasSuffix("/") ? String(serverURL.absoluteString.dropLast()) : serverURL.absoluteString
            environment["GLOBALSTACKS_API_TOKEN"] = token
        }
        if egress {
            let proxy = "http://127.0.0.1:\(EgressProxy.port)"
            for name in ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"] { environment[name] = proxy }
        }
        // With egress, bubblewrap reports its child (--info-fd) and waits (--block-fd) until the proxy listens in
        // the child's network namespace.
        let argv = limits.prefix + isolation.argv(
            ["/extension/" + payload.entrypoint], workspace: workspace, network: false, environment: environment, newSession: limits.freezer != nil,
            extra: ["--ro-bind", tree.path, "/extension"] + (egress ? ["--info-fd", "3", "--block-fd", "4"] : [])
        )
        return try await run(argv, payload, egress: egress, cached: cached, started: started)
    }

    private func run(_ argv: [String], _ payload: InvokeExtensionPayload, egress: Bool, cached: Bool, started: ContinuousClock.Instant) async throws -> InvokeExtensionResult {
        let stdin = try ExecProcess.pipe()
        let stdout = try ExecProcess.pipe()
        let stderr = try ExecProcess.pipe()
        let setup = egress ? (info: try ExecProcess.pipe(), block: try ExecProcess.pipe()) : nil
        var standard: [(Int32, ProcessSpawn.Standard)] = [(0, .descriptor(stdin.read)), (1, .descriptor(stdout.write)), (2, .descriptor(stderr.write))]
        if let setup { standard += [(3, .descriptor(setup.info.write)), (4, .descriptor(setup.block.read))] }
        let childEnds = [stdin.read, stdout.write, stderr.write] + (setup.map { [$0.info.write, $0.block.read] } ?? [])
        let pid: pid_t
        do {
            pid = try ProcessSpawn.spawn(argv, standard: standard)
        } catch {
            for fd in childEnds + [stdin.write, stdout.read, stderr.read] + (setup.map { [$0.info.read, $0.block.write] } ?? []) { close(fd) }
            throw error
        }
        for fd in childEnds { close(fd) }
        let exit = Task {
            await withCheckedContinuation { continuation in
                ProcessSpawn.waitUnreaped(for: pid) { continuation.resume(returning: ($0, $1)) }
            }
        }
        let output = PipeReader.start(stdout.read, limit: payload.outputLimitBytes, keepTail: false)
        let errors = PipeReader.start(stderr.read, limit: InvokeExtensionPayload.stderrTailBytes, keepTail: true)
        var proxy: EgressProxy?
        defer { proxy?.stop() }
        if let setup {
            let info = await PipeReader.start(setup.info.read, limit: 4_096, keepTail: false).value
            let childPID = (try? JSONSerialization.jsonObject(with: Data(info.bytes)) as? [String: Any])?["child-pid"] as? Int
            let listener = childPID.map { gstacks_listen_in_netns(Int32($0), EgressProxy.port) } ?? -1
            if listener < 0 {
                kill(-pid, SIGKILL)
                close(setup.block.write)
                close(stdin.write)
                await exit.value.1.reap()
                throw DriverError("The egress proxy could not listen inside the extension's sandbox (errno \(errno)); nothing was run.")
            }
            proxy = EgressProxy(
                listener: listener, allowed: payload.egress, allowLoopback: allowLoopbackEgress,
                controlPlane: payload.apiToken == nil ? nil : serverURL.host.map { "\($0.lowercased()):\(serverURL.port ?? (serverURL.scheme == "https" ? 443 : 80))" }
            )
            EgressProxy.writeAll(setup.block.write, [1])
            close(setup.block.write)
        }
        // The request is written on a thread of its own: an extension that never reads stdin must not block us.
        let request = Array(payload.request.utf8)
        let writer = Thread {
            _ = request.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(stdin.write, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { break }
                    offset += written
                }
            }
            close(stdin.write)
        }
        writer.stackSize = 64 << 10
        writer.start()

        let timedOut = Atomic<Bool>(false)
        let timer = Task {
            try await Task.sleep(for: .seconds(payload.timeoutSeconds))
            timedOut.store(true, ordering: .releasing)
            kill(-pid, SIGKILL)
        }
        let status = await withTaskCancellationHandler {
            await exit.value.0
        } onCancel: {
            kill(-pid, SIGKILL)
        }
        // Reaped only once nothing can signal its group any more.
        timer.cancel()
        _ = await timer.result
        await exit.value.1.reap()
        proxy?.stop()
        let collected = await output.value
        let tail = await errors.value
        if Task.isCancelled { throw CancellationError() }
        let duration = ContinuousClock.now - started
        let milliseconds = Int(duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000)
        return InvokeExtensionResult(
            exitCode: ProcessSpawn.exitCode(status), signal: ProcessSpawn.terminatingSignal(status).map(ProcessSpawn.signalName),
            timedOut: timedOut.load(ordering: .acquiring), stdout: Data(collected.bytes), stdoutTruncated: collected.truncated,
            stderrTail: Data(tail.bytes), cached: cached, durationMilliseconds: milliseconds
        )
    }
}
