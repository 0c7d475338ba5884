import Synchronization

/// In-process listeners by channel: SQLite's stand-in for PostgreSQL's LISTEN/NOTIFY.
final class NotificationListeners: Sendable {
    private struct Listener {
        let channel: StoreChannel
        let onNotification: @Sendable () -> Void
    }

    private let listeners = Mutex<[Int: Listener]>([:])
    private let nextID = Atomic<Int>(0)

    /// Calls `onNotification` for every notification on `channel` until the task is cancelled.
    func listen(_ channel: StoreChannel, _ onNotification: @escaping @Sendable () -> Void) async throws {
        let id = nextID.add(1, ordering: .relaxed).newValue
        listeners.withLock { $0[id] = Listener(channel: channel, onNotification: onNotification) }
        defer { _ = listeners.withLock { $0.removeValue(forKey: id) } }
        // Sleeps until cancelled; the listener above is called from `send` meanwhile.
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
    }

    func send(_ channels: Set<StoreChannel>) {
        guard !channels.isEmpty else { return }
        for listener in listeners.withLock({ Array($0.values) }) where channels.contains(listener.channel) {
            listener.onNotification()
        }
    }
}
