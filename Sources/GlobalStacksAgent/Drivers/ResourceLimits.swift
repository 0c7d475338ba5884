import Crypto
import Foundation
import Logging

/// The cgroups of one sandbox (cgroups v1, under the agent's own groups, when the agent may create them): a CFS
/// quota for CPU, a hard memory limit, a process count limit, and a freezer, so that hibernate and stop reach
/// every process of the sandbox even if one left its process group. Without them, memory is bounded with
/// `prlimit --as`, CPU and the process count are not limited (logged), and the driver falls back to signalling the
/// process group. A sandbox's group is `<agent's group>/<scope>/<sandbox id>` in each hierarchy.
struct ResourceLimits: Sendable {
    static let maximumProcesses = 1_024
    static let controllers = ["cpu", "memory", "pids", "freezer"]

    /// The groups of the sandboxes kept in one directory: `gstacks-<digest of its path>`, so an agent that starts
    /// again on the same directory finds what its previous run left, and never what another agent on the host runs.
    struct Scope: Sendable, Equatable {
        let name: String

        init(root: URL) {
            let digest = SHA256.hash(data: Data(root.standardizedFileURL.path.utf8))
            name = "gstacks-" + digest.prefix(8).map { String(format: "%02x", $0) }.joined()
        }
    }

    let directories: [URL]
    /// The freezer group, when there is one.
    let freezer: URL?
    /// Prepended to the command line.
    let prefix: [String]

    /// `fileSizeBytes` caps every file the sandbox writes (RLIMIT_FSIZE: a write past it ends the process with
    /// SIGXFSZ), so no single file can outgrow the sandbox's storage between two checks of its directory.
    static func prepare(scope: Scope, sessionID: String, cpuMillicores: Int64?, memoryBytes: Int64?, fileSizeBytes: Int64?, logger: Logger) -> ResourceLimits {
        var directories: [URL] = []
        var prefix: [String] = []
        let prlimit = FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit")
        var rlimits: [String] = []
        let name = "\(scope.name)/\(groupName(sessionID))"
        if let cpuMillicores, let group = Self.group("cpu", name: name, files: [
            "cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "\(max(1_000, cpuMillicores * 100))",
        ]) {
            directories.append(group)
        } else if cpuMillicores != nil {
            logger.warning("No writable cpu cgroup: this sandbox's CPU is NOT limited", metadata: ["sandbox_id": "\(sessionID)"])
        }
        if let memoryBytes, let group = Self.group("memory", name: name, files: ["memory.limit_in_bytes": "\(memoryBytes)"]) {
            directories.append(group)
        } else if let memoryBytes, prlimit {
            rlimits.append("--as=\(memoryBytes)")
        } else if memoryBytes != nil {
            logger.warning("No memory cgroup and no prlimit: this sandbox's memory is NOT limited", metadata: ["sandbox_id": "\(sessionID)"])
        }
        if let fileSizeBytes, prlimit {
            rlimits.append("--fsize=\(fileSizeBytes)")
        } else if fileSizeBytes != nil {
            logger.warning("No prlimit: this sandbox's files are not capped; only the periodic measure of its directory limits its storage", metadata: ["sandbox_id": "\(sessionID)"])
        }
        if !rlimits.isEmpty { prefix = ["/usr/bin/prlimit"] + rlimits + ["--"] }
        if let group = Self.group("pids", name: name, files: ["pids.max": "\(maximumProcesses)"]) {
            directories.append(group)
        }
        let freezer = Self.group("freezer", name: name, files: [:])
        if let freezer { directories.append(freezer) }
        if !directories.isEmpty {
            // A tiny shell joins the groups, then becomes the sandbox: everything it starts is inside from the first instruction.
            prefix = ["/bin/sh", "-c", #"while [ "$1" != "--" ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@""#, "gstacks-limits"]
                + directories.map { $0.appendingPathComponent("cgroup.procs").path } + ["--"] + prefix
        }
        return ResourceLimits(directories: directories, freezer: freezer, prefix: prefix)
    }

    /// Freezes or thaws every process of the sandbox; false without a freezer group.
    func setFrozen(_ frozen: Bool) -> Bool {
        guard let freezer else { return false }
        return (try? (frozen ? "FROZEN" : "THAWED").write(to: freezer.appendingPathComponent("freezer.state"), atomically: false, encoding: .utf8)) != nil
    }

    /// Sends `signal` to every process of the sandbox; false without a group to list them from.
    func signalAll(_ signal: Int32) -> Bool {
        guard let group = directories.first, let pids = Self.processes(in: group) else { return false }
        for pid in pids {
            kill(pid, signal)
        }
        return true
    }

    /// Ends every process left in the scope's groups (of one sandbox, or of all) and removes those groups: what an
    /// agent killed or restarted while its sandboxes ran left behind. A frozen process acts on no signal (not even
    /// `--die-with-parent`'s), so each is killed while frozen, then thawed, and dies without running again.
    /// Returns the names of the groups found.
    static func endLeftovers(in scope: Scope, sandbox: String? = nil) -> Set<String> {
        var found: Set<String> = []
        // The freezer first: once its processes are gone, the other groups are empty.
        for controller in ["freezer"] + controllers.filter({ $0 != "freezer" }) {
            guard let parent = scopeDirectory(controller, scope) else { continue }
            let names = sandbox.map { [groupName($0)] } ?? (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
            for name in names {
                let group = parent.appendingPathComponent(name)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: group.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
                found.insert(name)
                // At most 5 s: a process in uninterruptible sleep dies when its I/O ends.
                for _ in 0..<250 {
                    guard let pids = processes(in: group), !pids.isEmpty else { break }
                    for pid in pids { kill(pid, SIGKILL) }
                    if controller == "freezer" {
                        try? "THAWED".write(to: group.appendingPathComponent("freezer.state"), atomically: false, encoding: .utf8)
                    }
                    usleep(20_000)
                }
                remove(group)
            }
            rmdir(parent.path)
        }
        return found
    }

    /// The live processes in a group, nil when it cannot be read. A zombie is dead already and may stay listed until
    /// its parent reaps it (an init that never does keeps it forever): waiting for it to leave would never end.
    private static func processes(in group: URL) -> [pid_t]? {
        guard let text = try? String(contentsOf: group.appendingPathComponent("cgroup.procs"), encoding: .utf8) else { return nil }
        return text.split(separator: "\n").compactMap { pid_t($0) }.filter { !isZombie($0) }
    }

    private static func isZombie(_ pid: pid_t) -> Bool {
        // /proc/PID/stat: "pid (command) state …"; the command may hold spaces and parentheses, so read after the last ')'.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let end = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: end)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// Removes the groups once the sandbox's processes are gone (a group empties a moment after its last kill), and
    /// their scope's group when it is left empty.
    func release() {
        for directory in directories {
            Self.remove(directory)
            rmdir(directory.deletingLastPathComponent().path)
        }
    }

    /// Removes an empty group, waiting (≤ 0.5 s) for processes that were just killed to leave it.
    static func remove(_ directory: URL) {
        for _ in 0..<50 where rmdir(directory.path) != 0 && errno == EBUSY {
            usleep(10_000)
        }
    }

    /// A sandbox's group in its scope.
    private static func groupName(_ sessionID: String) -> String { String(sessionID.prefix(64)) }

    /// The scope's group for `controller` under the agent's own group (cgroups v1), whether or not it exists.
    static func scopeDirectory(_ controller: String, _ scope: Scope) -> URL? {
        ownGroup(controller).map { URL(fileURLWithPath: "/sys/fs/cgroup/\(controller)\($0)").appendingPathComponent(scope.name) }
    }

    /// A child group of the agent's own group for `controller` (cgroups v1), with `files` written, or nil.
    private static func group(_ controller: String, name: String, files: [String: String]) -> URL? {
        guard let own = ownGroup(controller) else { return nil }
        let directory = URL(fileURLWithPath: "/sys/fs/cgroup/\(controller)\(own)").appendingPathComponent(name)
        // The scope's group may be removed by the release of its last other sandbox between the two mkdirs.
        var made = false
        for _ in 0..<3 where !made {
            mkdir(directory.deletingLastPathComponent().path, 0o755)
            made = mkdir(directory.path, 0o755) == 0 || errno == EEXIST
            if !made && errno != ENOENT { break }
        }
        guard made else { return nil }
        for (file, value) in files.sorted(by: { $0.key < $1.key }) {
            guard (try? value.write(to: directory.appendingPathComponent(file), atomically: false, encoding: .utf8)) != nil else {
                rmdir(directory.path)
                return nil
            }
        }
        return directory
    }

    /// The agent's own group path for a v1 controller, from /proc/self/cgroup (`4:memory:/some/path`).
    private static func ownGroup(_ controller: String) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1].split(separator: ",").contains(Substring(controller)) else { continue }
            return parts[2] == "/" ? "" : String(parts[2])
        }
        return nil
    }
}
