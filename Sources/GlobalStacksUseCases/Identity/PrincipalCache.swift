import Foundation
import GlobalStacksDomain
import Synchronization

/// Callers resolved in the last second, reused by read-only requests (GET, HEAD) so that a burst of reads costs
/// one principal lookup a second, not one per request. Any other request in this process clears it when it ends,
/// so a change made here (sign-out, a role, the active tenant) is seen by the next request; a change made through
/// another replica is seen here within `lifetime`.
public final class PrincipalCache: Sendable {
    static let lifetime: TimeInterval = 1
    static let capacity = 10_000

    private struct Entry {
        let principal: Principal
        let until: Date
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Bumped by every clear: a lookup that began before a clear must not be remembered after it.
        var generation = 0
    }

    private let state = Mutex(State())

    /// Take before looking a principal up; pass to `remember`.
    var generation: Int { state.withLock { $0.generation } }

    func principal(for key: String, at now: Date) -> Principal? {
        state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            guard entry.until > now else {
                state.entries[key] = nil
                return nil
            }
            return entry.principal
        }
    }

    /// Remembers a principal looked up after `generation` was taken, unless the cache was cleared since.
    func remember(_ principal: Principal, for key: String, lookedUpIn generation: Int, at now: Date) {
        state.withLock { state in
            guard state.generation == generation else { return }
            // Bounded: when full, start over (entries live a second anyway).
            if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = Entry(principal: principal, until: now.addingTimeInterval(Self.lifetime))
        }
    }

    public init() {}

    public func removeAll() {
        state.withLock { state in
            state.entries.removeAll(keepingCapacity: true)
            state.generation += 1
        }
    }
}
