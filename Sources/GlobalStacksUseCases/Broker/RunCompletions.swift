import GlobalStacksDomain
import Synchronization

/// Runs finished by this process's workers, for requests that wait for one (an extension invocation). A run
/// finished by another replica is seen when the waiter looks at the database again.
public final class RunCompletions: Sendable {
    private let waiters = Mutex<[OperationRunID: [Int: AsyncStream<Void>.Continuation]]>([:])
    private let counter = Atomic<Int>(0)

    public init() {}

    public func finished(_ id: OperationRunID) {
        let woken = waiters.withLock { $0.removeValue(forKey: id) } ?? [:]
        for continuation in woken.values { continuation.finish() }
    }

    /// Returns once `isFinished` is true: at once, when a worker here finishes the run, or after `interval` (then the
    /// caller looks again).
    public func wait(_ id: OperationRunID, interval: Duration, isFinished: () async throws -> Bool) async throws {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let token = counter.add(1, ordering: .relaxed).newValue
        // Registered before looking, so that a finish between the look and the wait is not missed.
        waiters.withLock { $0[id, default: [:]][token] = continuation }
        defer {
            waiters.withLock { waiters in
                waiters[id]?[token] = nil
                if waiters[id]?.isEmpty == true { waiters[id] = nil }
            }
        }
        if try await isFinished() { return }
        let timer = Task {
            try? await Task.sleep(for: interval)
            continuation.finish()
        }
        defer { timer.cancel() }
        for await _ in stream {}
    }
}
