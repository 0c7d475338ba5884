import GlobalStacksDomain

extension Sandbox {
    /// Exec, files and processes need a running sandbox: 409 with what to do otherwise.
    func requireRunning() throws {
        switch state {
        case .running: return
        case .pending, .starting, .waking:
            throw DomainError.conflict("Sandbox \(id) is \(state.rawValue), not running yet; try again when its state is running.")
        case .hibernating, .hibernated:
            throw DomainError.conflict("Sandbox \(id) is \(state.rawValue); wake it first (POST /v1/sandboxes/\(id)/wake).")
        case .stopping, .stopped, .failed, .terminated:
            let reason = lastError.map { " (\($0.prefix(500)))" } ?? ""
            throw DomainError.conflict("Sandbox \(id) is \(state.rawValue)\(reason) and does not run again; create a new sandbox.")
        }
    }

    /// A sandbox's output is kept on its agent while it exists: readable once it started, stopped and failed
    /// sandboxes included, until it is deleted.
    func requireOutput() throws {
        switch state {
        case .pending, .starting:
            throw DomainError.conflict("Sandbox \(id) is \(state.rawValue) and has no output yet; try again when its state is running.")
        case .terminated:
            throw DomainError.conflict("Sandbox \(id) was deleted, and its output with it.")
        case .running, .hibernating, .hibernated, .waking, .stopping, .stopped, .failed:
            return
        }
    }
}
