import Foundation
import Logging

/// CPU and memory limits for one sandbox. With cgroups v1 (cpu and memory controllers writable by the agent) the
/// sandbox gets its own groups: a CFS quota for CPU, a hard memory limit. Without them, memory is bounded with
/// `prlimit --as` and CPU is not limited (logged once, loudly).
struct ResourceLimits: Sendable {
    /// cgroup.procs files the sandbox's first process writes itself into before it execs.
    let cgroupProcs: [String]
    let directories: [URL]
    /// Prepended to the command line.
    let prefix: [String]

    static func prepare(sessionID: String, cpuMillicores: Int64?, memoryBytes: Int64?, logger: Logger) -> ResourceLimits {
        var procs: [String] = []
        var directories: [URL] = []
        var prefix: [String] = []
        let name = "gstacks-\(sessionID.prefix(36))"
        if let cpuMillicores, let group = Self.group("cpu", name: name, files: [
            "cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "\(max(1_000, cpuMillicores * 100))",
        ]) {
            procs.append(group.appendingPathComponent("cgroup.procs").path)
            directories.append(group)
        } else if cpuMillicores != nil {
            logger.warning("No writable cpu cgroup: this sandbox's CPU is NOT limited", metadata: ["sandbox_id": "\(sessionID)"])
        }
        if let memoryBytes, let group = Self.group("memory", name: name, files: ["memory.limit_in_bytes": "\(memoryBytes)"]) {
            procs.append(group.appendingPathComponent("cgroup.procs").path)
            directories.append(group)
        } else if let memoryBytes, FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") {
            prefix = ["/usr/bin/prlimit", "--as=\(memoryBytes)", "--"]
        } else if memoryBytes != nil {
            logger.warning("No memory cgroup and no prlimit: this sandbox's memory is NOT limited", metadata: ["sandbox_id": "\(sessionID)"])
        }
        if !procs.isEmpty {
            // A tiny shell joins the groups, then becomes the sandbox: everything it starts is inside from the first instruction.
            prefix = ["/bin/sh", "-c", #"while [ "$1" != "--" ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@""#, "gstacks-limits"]
                + procs + ["--"] + prefix
        }
        return ResourceLimits(cgroupProcs: procs, directories: directories, prefix: prefix)
    }

    /// Removes the groups once the sandbox's processes are gone.
    func release() {
        for directory in directories {
            rmdir(directory.path)
        }
    }

    /// A child group of the agent's own group for `controller` (cgroups v1), with `files` written, or nil.
    private static func group(_ controller: String, name: String, files: [String: String]) -> URL? {
        guard let own = ownGroup(controller) else { return nil }
        let directory = URL(fileURLWithPath: "/sys/fs/cgroup/\(controller)\(own)").appendingPathComponent(name)
        guard mkdir(directory.path, 0o755) == 0 || errno == EEXIST else { return nil }
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
