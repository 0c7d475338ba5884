import Foundation

/// How a sandbox's process is confined. bubblewrap when it is installed: new namespaces (no network unless the
/// sandbox asks for it), an unprivileged user inside, a read-only view of the system directories, a private
/// writable `/workspace`, a cleared environment. Without it, a plain child process with resource limits only,
/// which an agent runs only when its operator allows it (`--allow-unconfined`).
public enum SandboxIsolation: Sendable, Equatable {
    case bubblewrap(path: String)
    case plain

    /// bubblewrap from the usual places, else plain.
    public static func detect() -> SandboxIsolation {
        let candidates = ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"]
        return candidates.first(where: FileManager.default.isExecutableFile(atPath:)).map { .bubblewrap(path: $0) } ?? .plain
    }

    /// Where the sandbox sees its private directory.
    func workspacePath(hostDirectory: URL) -> String {
        switch self {
        case .bubblewrap: "/workspace"
        case .plain: hostDirectory.path
        }
    }

    /// The command line that runs `command` confined, with exactly `environment`. Whatever runs before the
    /// sandbox (limit wrappers, bwrap itself) gets a fixed minimal environment from the driver, never the
    /// sandbox's. `newSession` detaches the sandbox from the agent's terminal (only when its processes can be
    /// frozen and signalled through their cgroup, since they then leave the agent's process group).
    func argv(_ command: [String], workspace: URL, network: Bool, environment: [String: String], newSession: Bool) -> [String] {
        let variables = environment.sorted { $0.key < $1.key }
        guard case .bubblewrap(let bwrap) = self else {
            return ["/usr/bin/env", "-i"] + variables.map { "\($0.key)=\($0.value)" }
                + ["/bin/sh", "-c", #"cd "$0" && exec "$@""#, workspace.path] + command
        }
        var argv = [bwrap, "--unshare-all"]
        if network { argv.append("--share-net") }
        if newSession { argv.append("--new-session") }
        argv += ["--die-with-parent", "--uid", "65534", "--gid", "65534", "--ro-bind", "/usr", "/usr"]
        // Merged-/usr systems have these as symlinks; older ones as directories.
        for path in ["/bin", "/sbin", "/lib", "/lib64", "/lib32"] {
            argv += ["--ro-bind-try", path, path]
        }
        // Only what programs need from /etc (no shadow, no host secrets).
        for path in ["/etc/ld.so.cache", "/etc/alternatives", "/etc/ssl", "/etc/ca-certificates", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf"] {
            argv += ["--ro-bind-try", path, path]
        }
        if network {
            argv += ["--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf", "--ro-bind-try", "/etc/hosts", "/etc/hosts"]
        }
        argv += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", workspace.path, "/workspace", "--chdir", "/workspace", "--clearenv"]
        for (name, value) in variables {
            argv += ["--setenv", name, value]
        }
        return argv + ["--"] + command
    }
}
