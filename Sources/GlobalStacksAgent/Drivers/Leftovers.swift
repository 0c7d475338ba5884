import Foundation
import Logging

/// What an earlier run of an agent left on this host when it was killed or restarted while its sandboxes ran.
/// `--die-with-parent` ends a running sandbox with its agent, but not a frozen one (it cannot act on the signal
/// until thawed), and not one run unconfined; so a driver that starts ends them first.
public enum Leftovers {
    /// Ends every process in the groups of the sandboxes kept in `root` (thawed to die, groups removed), then every
    /// process still running from `root`: one whose command line names a sandbox's directory (bubblewrap's
    /// `--bind`, the unconfined wrapper's `cd`), or that works inside one with a sandbox's variables (an unconfined
    /// sandbox's; not an operator's shell there). Never this process. Data-plane services are kept the same way,
    /// named by their `subdirectory` (`<root>/<id>/data`) and their `variable`.
    public static func end(under root: URL, subdirectory: String? = nil, variable: String = "GSTACKS_SANDBOX_ID", logger: Logger) {
        let groups = ResourceLimits.endLeftovers(in: ResourceLimits.Scope(root: root))
        let processes = endProcesses(under: root, subdirectory: subdirectory, variable: variable)
        guard !groups.isEmpty || !processes.isEmpty else { return }
        logger.notice("Ended what a previous run of this agent left running", metadata: [
            "directory": "\(root.path)", "groups": "\(groups.sorted())", "processes": "\(processes)",
        ])
    }

    private static func endProcesses(under root: URL, subdirectory: String?, variable: String) -> [pid_t] {
        let prefix = root.standardizedFileURL.path + "/"
        func inSandbox(_ path: String) -> Bool { path.hasPrefix(prefix) && path.count > prefix.count }
        // A sandbox's directory itself (not a file in it: `tail -f <dir>/output.log` is an operator's).
        func isSandboxDirectory(_ path: String) -> Bool {
            let parts = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            return subdirectory.map { parts.count == 2 && parts[1] == $0 } ?? (parts.count == 1)
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var ended: [pid_t] = []
        for pid in entries.compactMap(pid_t.init) where pid != getpid() {
            let arguments = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")?.split(separator: 0).map { String(decoding: $0, as: UTF8.self) } ?? []
            let namesDirectory = arguments.contains { inSandbox($0) && isSandboxDirectory($0) }
            guard namesDirectory || (inSandbox(directory(of: pid)) && isSandboxProcess(pid, variable: variable)) else { continue }
            if kill(pid, SIGKILL) == 0 { ended.append(pid) }
        }
        return ended
    }

    private static func directory(of pid: pid_t) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) ?? ""
    }

    /// Whether the process started with the variable every sandbox (or service) process gets.
    private static func isSandboxProcess(_ pid: pid_t, variable: String) -> Bool {
        let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") ?? Data()
        return environment.split(separator: 0).contains { $0.starts(with: Data("\(variable)=".utf8)) }
    }
}
