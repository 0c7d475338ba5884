import GlobalStacksStore
import GlobalStacksUseCases
import Logging
import ServiceLifecycle
import Synchronization

/// The store's sandbox-state notifications (in-process on SQLite, NOTIFY between replicas on PostgreSQL) as a counter
/// that waiting clients compare (`SandboxService.settled`).
final class SandboxStateSignal: SandboxStateWakeups {
    private let counter = Atomic<UInt64>(0)

    var generation: UInt64 { counter.load(ordering: .acquiring) }

    func signal() {
        counter.add(1, ordering: .releasing)
    }
}

/// Listens to the store's sandbox-state channel for `SandboxStateSignal`.
struct SandboxStateListener: Service {
    let notifications: any StoreNotifications
    let signal: SandboxStateSignal
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await notifications.listen(.sandboxes, for: "sandbox state changes", logger: logger) { signal.signal() }
        }
    }
}
