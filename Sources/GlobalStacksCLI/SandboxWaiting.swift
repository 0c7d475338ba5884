import Foundation
import GlobalStacksClient
import GlobalStacksContract

extension GlobalStacksClient {
    /// The sandbox once it runs or has ended (stopped, failed or terminated), asked for every 250 ms; `tick` is called
    /// before each wait (the CLI prints a dot). Still neither after `timeout` seconds is a `CLIError` naming its state.
    /// Used by `gstacks sandboxes create --wait` and by `gstacks mcp`'s `create_sandbox`.
    func waitUntilRunningOrEnded(_ sandbox: Sandbox, timeout: Double, tick: () -> Void = {}) async throws -> Sandbox {
        let deadline = Date().addingTimeInterval(timeout)
        var sandbox = sandbox
        while sandbox.state != .running && !sandbox.hasEnded {
            guard Date() < deadline else { throw CLIError(.failure, "Sandbox \(sandbox.id) is still \(sandbox.state.rawValue) after \(Int(timeout)) s.") }
            tick()
            try await Task.sleep(for: .milliseconds(250))
            sandbox = try await self.sandbox(sandbox.id)
        }
        return sandbox
    }
}

extension GlobalStacksClient.Sandbox {
    /// Its command has ended, or it never ran: it will not run again without a new sandbox.
    var hasEnded: Bool { [.failed, .stopped, .terminated].contains(state) }

    /// Why a sandbox that was waited for ended without success.
    var ending: String {
        let reason = lastError ?? exitStatus.map { "its command exited with status \($0)" } ?? "no reason given"
        let ended = state == .terminated ? "was terminated" : state.rawValue
        return "Sandbox \(id) \(ended): \(reason)"
    }
}
