import Synchronization

/// Wakes idle workers when work arrives: admissions in this process signal it directly, and on PostgreSQL
/// notifications from other replicas do too. Each worker has its own stream; a signal is kept (at most one)
/// until the worker next waits, so none is lost between a claim that found nothing and the wait.
final class RunWakeSignal: Sendable {
    private let continuations = Mutex<[AsyncStream<Void>.Continuation]>([])

    /// A stream of wake-ups for one worker.
    func subscribe() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        continuations.withLock { $0.append(continuation) }
        return stream
    }

    func signal() {
        for continuation in continuations.withLock({ $0 }) {
            continuation.yield()
        }
    }

    /// Ends every stream (shutdown).
    func finish() {
        for continuation in continuations.withLock({ list in defer { list.removeAll() }; return list }) {
            continuation.finish()
        }
    }
}
