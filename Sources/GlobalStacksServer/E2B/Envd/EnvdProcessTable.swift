import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases

/// The processes started through envd on this server, by sandbox and pid (pids are this table's: the sandbox's own
/// are not visible to the control plane). A process leaves the table when it ends.
actor EnvdProcessTable {
    private var processes: [SandboxID: [UInt32: EnvdProcess]] = [:]
    private var lastPID: UInt32 = 1_000
    /// Processes per sandbox, beside the agent's own limit on workspace commands.
    static let maximumPerSandbox = 32

    func add(in sandbox: SandboxID, make: (UInt32) -> EnvdProcess) throws -> EnvdProcess {
        guard processes[sandbox, default: [:]].count < Self.maximumPerSandbox else {
            throw DomainError(.tooManyRequests(retryAfterSeconds: 1), "This sandbox runs \(Self.maximumPerSandbox) processes started through envd already; end one first.")
        }
        lastPID = lastPID == UInt32.max ? 1_001 : lastPID + 1
        let process = make(lastPID)
        processes[sandbox, default: [:]][lastPID] = process
        return process
    }

    func remove(_ pid: UInt32, in sandbox: SandboxID) {
        processes[sandbox]?[pid] = nil
        if processes[sandbox]?.isEmpty == true { processes[sandbox] = nil }
    }

    func process(_ selector: Envd.ProcessSelector, in sandbox: SandboxID) throws -> EnvdProcess {
        let running = processes[sandbox] ?? [:]
        let found = selector.pid.flatMap { running[$0] } ?? selector.tag.flatMap { tag in running.values.first { $0.tag == tag } }
        guard let found else {
            throw DomainError.notFound("No running process \(selector.pid.map(String.init) ?? selector.tag ?? "?") in sandbox \(sandbox).")
        }
        return found
    }

    func list(in sandbox: SandboxID) -> [EnvdProcess] {
        (processes[sandbox] ?? [:]).values.sorted { $0.pid < $1.pid }
    }
}
