/// Tells a client waiting for a sandbox to settle that some sandbox moved (an agent's report was recorded, here or on
/// another replica), so that it looks again at once instead of at its next poll.
public protocol SandboxStateWakeups: Sendable {
    /// Grows by one or more with every change seen.
    var generation: UInt64 { get }
}
