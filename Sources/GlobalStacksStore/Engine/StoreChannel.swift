import Logging

/// The wake-ups a committed write sends: PostgreSQL NOTIFY between replicas, in-process on SQLite.
public enum StoreChannel: String, Sendable, Hashable {
    /// A command for an agent was stored: the dispatcher delivers it.
    case commands = "gstacks_agent_commands"
    /// A run was admitted or handed back: the workers claim it.
    case runs = "gstacks_operation_runs"
    /// An agent's report moved a sandbox: clients waiting for it to settle look again.
    case sandboxes = "gstacks_sandbox_states"
}

/// Listening to the store's wake-ups, for the dispatcher and the workers (who hold nothing else of the engine).
public protocol StoreNotifications: Sendable {
    /// Calls `onNotification` for every notification on `channel` until the task is cancelled, reconnecting after a
    /// failure (logged, naming `what` is listened for).
    func listen(_ channel: StoreChannel, for what: String, logger: Logger, onNotification: @escaping @Sendable () -> Void) async
}
