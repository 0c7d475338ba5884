import Foundation
import GlobalStacksDomain

extension SandboxService {
    /// The sandbox once it left its transitional state (pending, starting, hibernating, waking, stopping), or as it
    /// is after `timeout`: what a client that expects a finished create, pause or resume waits for. The state is read
    /// every 20 ms, a cheap indexed read on both engines.
    public func settled(_ id: SandboxID, timeout: Duration, caller: Caller) async throws -> Sandbox {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let current = try await sandbox(id, caller: caller)
            guard current.state.isTransitional, clock.now < deadline else { return current }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
