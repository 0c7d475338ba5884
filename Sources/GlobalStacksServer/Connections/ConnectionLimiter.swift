import Logging
import Metrics
import NIOConcurrencyHelpers

/// Counts open client connections against a cap, and each client address's against a smaller one. A connection beyond
/// either is refused at once, counted in `gstacks_connections_refused_total` (by reason) and logged (at most once every
/// 10 s per reason, with how many were refused meanwhile).
final class ConnectionLimiter: Sendable {
    enum Admission: Equatable {
        case admitted
        /// Every place is taken.
        case serverFull
        /// This address holds its share already.
        case addressFull
    }

    let capacity: Int
    let capacityPerAddress: Int
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let open = Gauge(label: "gstacks_connections_open")
    private let refusedServerFull = Counter(label: "gstacks_connections_refused_total", dimensions: [("reason", "limit")])
    private let refusedAddressFull = Counter(label: "gstacks_connections_refused_total", dimensions: [("reason", "address_limit")])

    private struct State {
        var open = 0
        var openByAddress: [String: Int] = [:]
        var refusedSinceLog: [Admission: Int] = [:]
        var lastLog: [Admission: ContinuousClock.Instant] = [:]
    }

    init(capacity: Int, capacityPerAddress: Int, logger: Logger) {
        self.capacity = capacity
        self.capacityPerAddress = capacityPerAddress
        self.logger = logger
    }

    /// Takes a place for a new connection from `address`, unless every place is taken or the address holds its share.
    func admit(from address: String) -> Admission {
        // The gauge is recorded under the lock, so concurrent admissions and releases record in order.
        let (admission, refusedToLog) = state.withLockedValue { state -> (Admission, Int?) in
            let admission: Admission =
                state.open >= capacity ? .serverFull
                : state.openByAddress[address, default: 0] >= capacityPerAddress ? .addressFull : .admitted
            guard admission != .admitted else {
                state.open += 1
                state.openByAddress[address, default: 0] += 1
                open.record(state.open)
                return (admission, nil)
            }
            state.refusedSinceLog[admission, default: 0] += 1
            let now = ContinuousClock.Instant.now
            if let last = state.lastLog[admission], now - last < .seconds(10) { return (admission, nil) }
            state.lastLog[admission] = now
            defer { state.refusedSinceLog[admission] = 0 }
            return (admission, state.refusedSinceLog[admission])
        }
        switch admission {
        case .admitted:
            return admission
        case .serverFull:
            refusedServerFull.increment()
            if let refusedToLog {
                logger.warning("Refusing connections: the connection limit is reached", metadata: [
                    "connection_limit": "\(capacity)", "refused": "\(refusedToLog)",
                ])
            }
        case .addressFull:
            refusedAddressFull.increment()
            if let refusedToLog {
                logger.warning("Refusing connections: a client address holds its share of connections", metadata: [
                    "client": "\(address)", "connection_limit_per_address": "\(capacityPerAddress)", "refused": "\(refusedToLog)",
                ])
            }
        }
        return admission
    }

    /// Gives back the place of a closed connection from `address`.
    func release(from address: String) {
        state.withLockedValue { state in
            state.open -= 1
            let left = state.openByAddress[address, default: 1] - 1
            state.openByAddress[address] = left > 0 ? left : nil
            open.record(state.open)
        }
    }
}
