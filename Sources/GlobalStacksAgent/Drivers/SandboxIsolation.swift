import Foundation
import GlobalStacksAgentProtocol

/// How a sandbox's process is confined. bubblewrap when it is installed: new namespaces (no network unless the
/// sandbox asks for it), an unprivileged user inside, a read-only view of the system directories, a private
/// writable `/workspace`, a cleared environment. Without it, a plain child process with resource limits only,
/// which an agent runs only when its operator allows it (`--allow-unconfined`).
public enum SandboxIsolation: Sendable, Equatable {
    case bubblewrap(path: String)
    case plain

    /// bubblewrap from the directories of `PATH`, then the usual places, else plain.
    public static func detect(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> SandboxIsolation {
        let onPath = (path ?? "").split(separator: ":").filter { $0.hasPrefix("/") }.map { "\($0)/bwrap" }
        let candidates = onPath + ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"]
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
    /// frozen and signalled through their cgroup, since they then leave the agent's process group). `extra` are more
    /// bubblewrap options (an extension's read-only artifact, its set-up descriptors).
    func argv(_ command: [String], workspace: URL, network: Bool, environment: [String: String], newSession: Bool, extra: [String] = []) -> [String] {
        guard case .bubblewrap(let bwrap) = self else {
            return Self.plainArgv(command, directory: workspace, environment: environment)
        }
        return Self.bubblewrapArgv(
            bwrap, command, binds: ["--bind", workspace.path, "/workspace"] + extra, directory: "/workspace", network: network, environment: environment,
            newSession: newSession
        )
    }

    /// A directory of the host a data-plane service (or its init, or its health check) sees.
    struct ServiceMount: Sendable {
        let host: URL
        let inside: String
        let writable: Bool
    }

    /// The command line of a data-plane service, its init or its health check: as a sandbox, with every namespace
    /// including the network's (a service is reached only through its socket directory), `mounts` its only
    /// directories of the host besides the read-only system ones, working in `directory` (inside). Its root is
    /// read-only: the writable mounts, the private tmpfs `/tmp` and `/dev/shm` (POSIX shared memory, which
    /// PostgreSQL needs) are all it can write. Unconfined, it runs in the first mount's host directory, and the
    /// paths inside do not exist.
    func serviceArgv(_ command: [String], mounts: [ServiceMount], directory: String, environment: [String: String], newSession: Bool) -> [String] {
        guard case .bubblewrap(let bwrap) = self else {
            return Self.plainArgv(command, directory: mounts[0].host, environment: environment)
        }
        let binds = mounts.flatMap { [$0.writable ? "--bind" : "--ro-bind", $0.host.path, $0.inside] } + ["--remount-ro", "/"]
        return Self.bubblewrapArgv(bwrap, command, binds: binds, directory: directory, network: false, environment: environment, newSession: newSession)
    }

    private static func plainArgv(_ command: [String], directory: URL, environment: [String: String]) -> [String] {
        ["/usr/bin/env", "-i"] + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            + ["/bin/sh", "-c", #"cd "$0" && exec "$@""#, directory.path] + command
    }

    /// What a confined process sees as its filesystem besides its binds.
    enum Root: Sendable {
        /// The host's system directories, read-only, and a few files of its /etc.
        case host
        /// A directory of the host (a template's layers, merged) as `/`: nothing of the host's own root is visible.
        case template(URL)
    }

    /// The command line of a process confined with a template's root (`merged`, mounted by `OverlayMount` in the
    /// namespace bubblewrap starts in), as `uid`/`gid`, starting in `directory` (inside; nil: the command goes where
    /// it must itself).
    func templateArgv(
        _ command: [String], root merged: URL, uid: Int = 65_534, gid: Int = 65_534, binds: [String], directory: String?, network: Bool,
        environment: [String: String], newSession: Bool
    ) throws(DriverError) -> [String] {
        guard case .bubblewrap(let bwrap) = self else {
            throw DriverError("Templates need bubblewrap (apt-get install bubblewrap): without it their root cannot be the sandbox's.", kind: .conflict)
        }
        return Self.bubblewrapArgv(
            bwrap, command, root: .template(merged), uid: uid, gid: gid, binds: binds, directory: directory, network: network, environment: environment,
            newSession: newSession
        )
    }

    /// `binds` are bubblewrap options that give the confined process its directories (the only writable ones
    /// besides its private `/tmp`, unless its root is a template's writable overlay).
    private static func bubblewrapArgv(
        _ bwrap: String, _ command: [String], root: Root = .host, uid: Int = 65_534, gid: Int = 65_534, binds: [String], directory: String?, network: Bool,
        environment: [String: String], newSession: Bool
    ) -> [String] {
        var argv = [bwrap, "--unshare-all"]
        if network { argv.append("--share-net") }
        if newSession { argv.append("--new-session") }
        // No capabilities, even for a build step that is root inside: it could otherwise mount a fresh /proc.
        argv += ["--die-with-parent", "--uid", "\(uid)", "--gid", "\(gid)", "--cap-drop", "ALL"]
        switch root {
        case .host:
            argv += ["--ro-bind", "/usr", "/usr"]
            // Merged-/usr systems have these as symlinks; older ones as directories.
            for path in ["/bin", "/sbin", "/lib", "/lib64", "/lib32"] {
                argv += ["--ro-bind-try", path, path]
            }
            // Only what programs need from /etc (no shadow, no host secrets).
            for path in ["/etc/ld.so.cache", "/etc/alternatives", "/etc/ssl", "/etc/ca-certificates", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf"] {
                argv += ["--ro-bind-try", path, path]
            }
        case .template(let merged):
            argv += ["--bind", merged.path, "/"]
        }
        if network {
            argv += ["--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf", "--ro-bind-try", "/etc/hosts", "/etc/hosts"]
        }
        // The sandbox's user is root outside its user namespace, and the kernel lets that uid write sysctls whatever its
        // capabilities (kernel.core_pattern runs a program as root on the host): /proc/sys is read-only, always.
        argv += ["--dev", "/dev", "--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys", "--tmpfs", "/tmp"] + binds
        if let directory { argv += ["--chdir", directory] }
        argv.append("--clearenv")
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            argv += ["--setenv", name, value]
        }
        return argv + ["--"] + command
    }

    /// The command line that runs `command` inside a running sandbox, in `directory` (relative to its workspace),
    /// with exactly `environment`. bubblewrap: `setpriv --no-new-privs` first (as bubblewrap does for the sandbox's
    /// own processes: no setuid bit or file capability grants anything from then on; nsenter keeps the agent's own
    /// privileges, which it needs), then nsenter joins every namespace of the sandbox's init (user, mount
    /// with its root, pid, network, ipc, uts, cgroup) as the sandbox's user; only then does `env -i` set the
    /// sandbox's variables, so no host program runs with them (a program name holding `=` would be read as a
    /// variable; workspace commands refuse such names). The caller prepends the sandbox's limit wrappers.
    func enterArgv(_ command: [String], initPID: pid_t, workspace: URL, directory: String, environment: [String: String]) -> [String] {
        let variables = environment.merging(["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": workspacePath(hostDirectory: workspace)]) { _, ours in ours }
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let inside = directory == "." ? workspacePath(hostDirectory: workspace) : workspacePath(hostDirectory: workspace) + "/" + directory
        guard case .bubblewrap = self else {
            return ["/usr/bin/env", "-i", "--chdir=\(inside)", "--"] + variables + command
        }
        return [
            "/usr/bin/setpriv", "--no-new-privs", "--",
            "/usr/bin/nsenter", "--target", "\(initPID)", "--user", "--mount", "--pid", "--net", "--ipc", "--uts", "--cgroup",
            "--root", "--wd", "--setuid", "65534", "--setgid", "65534", "--",
            "/usr/bin/env", "-i", "--chdir=\(inside)", "--",
        ] + variables + command
    }

    /// The command line of `open_port`'s relay to `port` of a running sandbox: `executable` (this agent's own binary)
    /// `sandbox-port-relay <port>`. bubblewrap: nsenter joins ONLY the sandbox's user and network namespaces, as its
    /// user, after `setpriv --no-new-privs`. Its loopback is then the sandbox's own (a sandbox without network is
    /// reached as well), while it keeps the host's mount namespace, so it runs the agent's binary from the host's
    /// filesystem, nothing of the sandbox's; and it stays outside the sandbox's pid namespace, so the sandbox's
    /// processes cannot see, signal or ptrace it. It is not put in the sandbox's groups or limits either: it is the
    /// agent's code carrying one connection, and ends when the sandbox's side closes it (as it does when the sandbox
    /// stops). Unconfined, it runs directly: the sandbox shares the host's network.
    func portRelayArgv(port: Int, initPID: pid_t, executable: String) -> [String] {
        let relay = [executable, PortRelay.subcommand, "\(port)"]
        guard case .bubblewrap = self else { return relay }
        return [
            "/usr/bin/setpriv", "--no-new-privs", "--",
            "/usr/bin/nsenter", "--target", "\(initPID)", "--user", "--net", "--setuid", "65534", "--setgid", "65534", "--",
        ] + relay
    }
}
