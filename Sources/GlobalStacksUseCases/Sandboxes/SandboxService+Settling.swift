import Foundation
import GlobalStacksDomain

extension SandboxService {
    /// The sandbox once it left its transitional state (pending, starting, hibernating, waking, stopping), or as it
    /// is after `timeout`: what a client that expects a finished create, pause or resume waits for. The state is read
    /// again as soon as an agent's report moved some sandbox (`SandboxStateWakeups`, looked at every 2 ms), and every
    /// 20 ms anyway (a cheap indexed read on both engines).
    public func settled(_ id: SandboxID, timeout: Duration, caller: Caller) async throws -> Sandbox {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let seen = stateWakeups?.generation
            let current = try await sandbox(id, caller: caller)
            guard current.state.isTransitional, clock.now < deadline else { return current }
            let recheck = clock.now.advanced(by: .milliseconds(20))
            repeat {
                try await Task.sleep(for: .milliseconds(seen == nil ? 20 : 2))
            } while clock.now < recheck && stateWakeups?.generation == seen
        }
    }
}
