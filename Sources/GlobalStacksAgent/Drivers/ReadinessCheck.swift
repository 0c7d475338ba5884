import Foundation

/// A template's readiness check: a command run inside the freshly started sandbox, as workspace commands run, every
/// `interval` until it exits 0; the sandbox counts as started only then.
enum ReadinessCheck {
    static let interval: Duration = .milliseconds(100)
    static let limit: Duration = .seconds(120)

    /// Returns once `command` exits 0; throws (saying how it last ended) when `limit` passes first or the sandbox ends.
    static func wait(
        for command: [String], limit: Duration = Self.limit, entry: @Sendable () async throws -> SandboxEntry, isRunning: @Sendable () async -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + limit
        var last = "it never ran"
        while ContinuousClock.now < deadline {
            try Task.checkCancellation()
            guard await isRunning() else { throw DriverError("the sandbox's process ended before it was ready (\(last))") }
            if let entry = try? await entry(), let argv = entry.processArgv?(command, [:], ".") {
                let (status, output) = try await run(argv, within: deadline - ContinuousClock.now)
                if status == 0 { return }
                last = "it last exited with status \(status)" + (output.isEmpty ? "" : ": \(output)")
            }
            try await Task.sleep(for: interval)
        }
        throw DriverError("the readiness check \(command.joined(separator: " ")) did not succeed within \(limit) (\(last))")
    }

    /// Runs one check, killed when `limit` passes; its status and the end of its output.
    private static func run(_ argv: [String], within limit: Duration) async throws -> (Int32, String) {
        let output = try ExecProcess.pipe()
        let pid: pid_t
        do {
            pid = try ProcessSpawn.spawn(argv, standard: [(0, .path("/dev/null", flags: O_RDONLY)), (1, .descriptor(output.write)), (2, .sameAs(1))])
        } catch {
            close(output.read)
            close(output.write)
            throw error
        }
        close(output.write)
        let text = PipeReader.start(output.read, limit: 500, keepTail: true)
        let timer = Task {
            try await Task.sleep(for: limit)
            kill(-pid, SIGKILL)
        }
        // Reaped only once nothing can signal its group any more.
        let (status, reaper) = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in ProcessSpawn.waitUnreaped(for: pid) { continuation.resume(returning: ($0, $1)) } }
        } onCancel: { kill(-pid, SIGKILL) }
        timer.cancel()
        _ = await timer.result
        reaper.reap()
        let code = ProcessSpawn.exitCode(status).map(Int32.init) ?? 128 + (ProcessSpawn.terminatingSignal(status) ?? 0)
        return (code, String(decoding: await text.value.bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
