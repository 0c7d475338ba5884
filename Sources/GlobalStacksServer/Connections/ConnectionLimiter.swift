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
        let (admitted, count, refusedToLog) = state.withLockedValue { state -> (Bool, Int, Int?) in
            guard state.open < capacity else {
                state.refusedSinceLog += 1
                let now = ContinuousClock.Instant.now
                guard now - state.lastLog >= .seconds(10) else { return (false, state.open, nil) }
                state.lastLog = now
                defer { state.refusedSinceLog = 0 }
                return (false, state.open, state.refusedSinceLog)
            }
            state.open += 1
            return (true, state.open, nil)
        }
        if admitted {
            open.record(count)
        } else {
            refused.increment()
            if let refusedToLog {
                logger.warning("Refusing connections: the connection limit is reached", metadata: [
                    "connections_open": "\(count)", "connection_limit": "\(capacity)", "refused": "\(refusedToLog)",
                ])
            }
        }
        return admitted
    }

    /// Gives back the place of a closed connection.
    func release() {
        let count = state.withLockedValue { state in
            state.open -= 1
            return state.open
        }
        open.record(count)
    }
}
