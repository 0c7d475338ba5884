import CGlobalStacksSystem
import Foundation
import Synchronization

/// posix_spawn as every process of the agent is started: a new session (and so a new process group, id = pid,
/// which a timeout or stop signals whole, and no controlling terminal to inject keystrokes into), default signal
/// handling and an empty signal mask (the agent ignores SIGPIPE; its children must not inherit that), and a fixed
/// minimal environment: the sandbox's own variables are set by the last wrapper, never seen by the host programs
/// before it. The child holds only the descriptors `standard` names: every other one is closed before exec, so no
/// socket or epoll handle of the agent (or of the server it is embedded in) reaches a sandbox, whichever library
/// forgot close-on-exec.
enum ProcessSpawn {
    /// Where one of the child's standard descriptors comes from.
    enum Standard {
        case path(String, flags: Int32)
        case descriptor(Int32)
        /// The same as another of the child's descriptors (e.g. stderr as stdout).
        case sameAs(Int32)
    }

    /// glibc's POSIX_SPAWN_SETSID (since 2.26), which the Swift Glibc module does not export.
    private static let spawnNewSession: Int32 = 0x80

    /// `standard` maps the child's descriptors (0, 1, 2, and any a wrapper is told about, e.g. bubblewrap's
    /// --info-fd) to their sources; the child has no other.
    static func spawn(_ argv: [String], standard: [(Int32, Standard)]) throws(DriverError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, source) in standard {
            switch source {
            case .path(let path, let flags): posix_spawn_file_actions_addopen(&actions, target, path, flags, 0o600)
            case .descriptor(let fd), .sameAs(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
        }
        let closing = gstacks_spawn_close_from(&actions, (standard.map(\.0).max() ?? 2) + 1)
        guard closing == 0 else {
            throw DriverError("Could not prepare the descriptors of '\(argv[0])': \(String(cString: strerror(closing))).")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(Self.spawnNewSession | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var cEnvironment = [strdup("PATH=/usr/bin:/bin"), nil]
        defer { cEnvironment.forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawnp(&pid, argv[0], &actions, &attributes, &cArguments, &cEnvironment)
        guard result == 0 else {
            throw DriverError("Could not start '\(argv[0])': \(String(cString: strerror(result))).")
        }
        return pid
    }

    /// Waits for the process on a small thread of its own (a blocked dispatch worker per process would exhaust
    /// the pool), then calls `exited` with the shell's status convention: the exit code, or 128 + the signal.
    static func wait(for pid: pid_t, exited: @escaping @Sendable (_ status: Int32) -> Void) {
        let waiter = Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            exited(status)
        }
        waiter.stackSize = 64 << 10
        waiter.start()
    }

    /// Like `wait(for:exited:)`, but the process stays a zombie until `exited` calls `reap`: until then its pid, and so
    /// its process group id, is not given to another process, so `kill(-pid, …)` cannot reach a stranger's group
    /// (pid_max is 32,768 on many hosts, and a busy agent goes round it). Whoever signals a group after its leader
    /// may have ended must do so before reaping.
    static func waitUnreaped(for pid: pid_t, exited: @escaping @Sendable (_ status: Int32, _ reap: Reaper) -> Void) {
        let waiter = Thread {
            let status = gstacks_wait_unreaped(pid)
            exited(status < 0 ? 0 : status, Reaper(pid: pid))
        }
        waiter.stackSize = 64 << 10
        waiter.start()
    }

    /// Reaps one ended child, once.
    final class Reaper: Sendable {
        private let pid: pid_t
        private let reaped = Atomic<Bool>(false)

        init(pid: pid_t) { self.pid = pid }

        func reap() {
            guard !reaped.exchange(true, ordering: .acquiringAndReleasing) else { return }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }
    }

    /// The exit code of a wait status, or nil when a signal ended the process.
    static func exitCode(_ status: Int32) -> Int? {
        status & 0x7f == 0 ? Int((status >> 8) & 0xff) : nil
    }

    static func terminatingSignal(_ status: Int32) -> Int32? {
        status & 0x7f == 0 ? nil : status & 0x7f
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGHUP: "SIGHUP"
        case SIGINT: "SIGINT"
        case SIGQUIT: "SIGQUIT"
        case SIGABRT: "SIGABRT"
        case SIGKILL: "SIGKILL"
        case SIGSEGV: "SIGSEGV"
        case SIGPIPE: "SIGPIPE"
        case SIGALRM: "SIGALRM"
        case SIGTERM: "SIGTERM"
        case SIGXCPU: "SIGXCPU"
        case SIGXFSZ: "SIGXFSZ"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGILL: "SIGILL"
        default: "SIG\(signal)"
        }
    }
}
