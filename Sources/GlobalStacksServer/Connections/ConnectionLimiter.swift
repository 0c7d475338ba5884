import Logging
import Metrics
import NIOConcurrencyHelpers

/// Counts open client connections against a cap. A connection beyond it is refused at once, counted in
/// `gstacks_connections_refused_total` and logged (at most once every 10 s, with how many were refused meanwhile).
final class ConnectionLimiter: Sendable {
    let capacity: Int
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let open = Gauge(label: "gstacks_connections_open")
    private let refused = Counter(label: "gstacks_connections_refused_total")

    private struct State {
        var open = 0
        var refusedSinceLog = 0
        var lastLog = ContinuousClock.Instant.now - .seconds(60)
    }

    init(capacity: Int, logger: Logger) {
        self.capacity = capacity
        self.logger = logger
    }

    /// Takes a place for a new connection; false when every place is taken.
    func admit() -> Bool {
        // The gauge is recorded under the lock, so concurrent admissions and releases record in order.
        let refusedToLog = state.withLockedValue { state -> Int?? in
            guard state.open < capacity else {
                state.refusedSinceLog += 1
                let now = ContinuousClock.Instant.now
                guard now - state.lastLog >= .seconds(10) else { return .some(nil) }
                state.lastLog = now
                defer { state.refusedSinceLog = 0 }
                return .some(state.refusedSinceLog)
            }
            state.open += 1
            open.record(state.open)
            return nil
        }
        guard let refusedToLog else { return true }
        refused.increment()
        if let refusedToLog {
            logger.warning("Refusing connections: the connection limit is reached", metadata: [
                "connection_limit": "\(capacity)", "refused": "\(refusedToLog)",
            ])
        }
        return false
    }

    /// Gives back the place of a closed connection.
    func release() {
        state.withLockedValue { state in
            state.open -= 1
            open.record(state.open)
        }
    }
}
