import Foundation
import GlobalStacksDomain
import Synchronization

/// Callers resolved in the last second, reused by read-only requests (GET, HEAD) so that a burst of reads costs
/// one principal lookup a second, not one per request. Any other request in this process clears it when it ends,
/// so a change made here (sign-out, a role, the active tenant) is seen by the next request; a change made through
/// another replica is seen here within `lifetime`.
final class PrincipalCache: Sendable {
    static let lifetime: TimeInterval = 1
    static let capacity = 10_000

    private struct Entry {
        let principal: Principal
        let until: Date
    }

    private let entries = Mutex<[String: Entry]>([:])

    func principal(for key: String, at now: Date) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.until > now else {
                entries[key] = nil
                return nil
            }
            return entry.principal
        }
    }

    func remember(_ principal: Principal, for key: String, at now: Date) {
        entries.withLock { entries in
            // Bounded: when full, start over (entries live a second anyway).
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(principal: principal, until: now.addingTimeInterval(Self.lifetime))
        }
    }

    func removeAll() {
        entries.withLock { $0.removeAll(keepingCapacity: true) }
    }
}
