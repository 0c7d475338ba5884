import Foundation
import GlobalStacksAgent
import GlobalStacksAgentProtocol
import Logging
import Testing

/// The process driver with real processes, in bubblewrap when it is installed and plain otherwise.
@Suite("Process driver")
struct ProcessDriverTests {
    static func session(_ id: String, _ command: [String], memory: String = "256Mi") -> StartSessionPayload {
        var payload = StartSessionPayload(sessionId: id)
        payload.command = command
        payload.resources = ["cpu": "500m", "memory": memory]
        payload.environment = ["GREETING": "hello"]
        return payload
    }

    static func isolations() -> [SandboxIsolation] {
        SandboxIsolation.detect() == .plain ? [.plain] : [.plain, SandboxIsolation.detect()]
    }

    static func read(_ root: URL, _ id: String, _ file: String) -> String? {
        try? String(contentsOf: root.appendingPathComponent(id).appendingPathComponent(file), encoding: .utf8)
    }

    @Test func withoutBubblewrapSandboxesRunOnlyWhenTheOperatorAllowsIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-driver-\(UUID().uuidString)")
        #expect(throws: DriverError.self) { try ProcessDriver(root: root, isolation: .plain, logger: Logger(label: "test")) }
        #expect(throws: Never.self) { try ProcessDriver(root: root, isolation: .plain, allowUnconfined: true, logger: Logger(label: "test")) }
    }

    @Test(arguments: isolations())
    func startFreezeThawAndStopActOnTheProcess(isolation: SandboxIsolation) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-driver-\(UUID().uuidString)")
        let driver = try ProcessDriver(root: root, isolation: isolation, allowUnconfined: true, logger: Logger(label: "test"))
        let id = UUID().uuidString.lowercased()
        let session = Self.session(id, ["/bin/sh", "-c", "echo $GREETING >> starts.log; while :; do date +%s%N > tick.new; mv tick.new tick; sleep 0.05; done"])
        try await driver.start(session)
        try await driver.start(session)  // a repeat does nothing
        try await Task.sleep(for: .milliseconds(300))
        #expect(Self.read(root, id, "starts.log") == "hello\n", "started once, with its environment")
        #expect(await driver.sessions() == [id])

        try await driver.hibernate(id)
        try await Task.sleep(for: .milliseconds(150))
        let frozen = Self.read(root, id, "tick")
        try await Task.sleep(for: .milliseconds(300))
        #expect(Self.read(root, id, "tick") == frozen, "frozen")
        try await driver.wake(id)
        try await Task.sleep(for: .milliseconds(300))
        #expect(Self.read(root, id, "tick") != frozen, "thawed")

        try await driver.hibernate(id)
        try await driver.stop(id)  // a frozen sandbox stops too
        #expect(await driver.sessions().isEmpty)
        try await driver.stop(id)  // and stopping it again is fine
        await #expect(throws: DriverError.self) { try await driver.wake(id) }
    }

    @Test(arguments: isolations())
    func aProcessThatEndsOnItsOwnIsReportedWithItsStatus(isolation: SandboxIsolation) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-driver-\(UUID().uuidString)")
        let driver = try ProcessDriver(root: root, isolation: isolation, allowUnconfined: true, logger: Logger(label: "test"))
        let id = UUID().uuidString.lowercased()
        try await driver.start(Self.session(id, ["/bin/sh", "-c", "exit 7"]))
        var exits = driver.exits.makeAsyncIterator()
        // With no output, the reason says only the status (a failure's output tail is tested end to end).
        #expect(await exits.next() == SessionExit(sessionID: id, exitStatus: 7, reason: "The sandbox's process exited with status 7."))
        await #expect(throws: DriverError.self) { try await driver.start(Self.session("x", [])) }
    }

    /// A sandbox that asks for storage gets at most that much in its directory: files split to stay under the
    /// per-file cap are caught by the directory check, and one file past the cap ends the process at once.
    @Test(arguments: isolations())
    func aSandboxOverItsStorageLimitIsEndedWithTheReason(isolation: SandboxIsolation) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-driver-\(UUID().uuidString)")
        let driver = try ProcessDriver(root: root, isolation: isolation, allowUnconfined: true, storageCheckInterval: .milliseconds(100), logger: Logger(label: "test"))
        var exits = driver.exits.makeAsyncIterator()
        func session(_ id: String, _ script: String) -> StartSessionPayload {
            var payload = Self.session(id, ["/bin/sh", "-c", script])
            payload.resources?["storage"] = "1Mi"
            return payload
        }

        let many = UUID().uuidString.lowercased()
        try await driver.start(session(many, "for i in 1 2 3; do head -c 600000 /dev/zero > part$i; done; sleep 30"))
        let overTotal = await exits.next()
        #expect(overTotal?.sessionID == many && overTotal?.succeeded == false)
        #expect(overTotal?.reason?.contains("more than its storage limit of 1Mi") == true, "\(String(describing: overTotal))")

        if FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") {
            let one = UUID().uuidString.lowercased()
            try await driver.start(session(one, "exec head -c 2000000 /dev/zero > big"))
            let overFile = await exits.next()
            #expect(overFile?.exitStatus == 128 + Int(SIGXFSZ))
            #expect(overFile?.reason?.contains("writing a file larger than its storage limit of 1Mi") == true, "\(String(describing: overFile))")
        }

        // Within the limit nothing happens; without a storage request nothing is measured.
        let within = UUID().uuidString.lowercased()
        try await driver.start(session(within, "head -c 300000 /dev/zero > small; exit 0"))
        #expect(await exits.next() == SessionExit(sessionID: within, exitStatus: 0))
    }

    @Test func bubblewrapHidesTheNetworkAndTheHost() async throws {
        guard case .bubblewrap = SandboxIsolation.detect() else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-driver-\(UUID().uuidString)")
        let driver = try ProcessDriver(root: root, logger: Logger(label: "test"))
        let id = UUID().uuidString.lowercased()
        // Only loopback exists without network; /root and /etc/shadow are not there; the workspace is writable.
        try await driver.start(Self.session(id, ["/bin/sh", "-c", "env | cut -d= -f1 | sort | tr '\\n' ' ' > env.txt; grep -c : /proc/net/dev > net.txt; ls /root 2>&1 > root.txt; cat /etc/shadow > shadow.txt 2>&1; id -u > uid.txt"]))
        var exits = driver.exits.makeAsyncIterator()
        _ = await exits.next()
        #expect(Self.read(root, id, "net.txt") == "1\n", "only loopback")
        #expect(Self.read(root, id, "shadow.txt")?.contains("root:") == false)
        #expect(Self.read(root, id, "uid.txt") == "65534\n")
        #expect(Self.read(root, id, "env.txt") == "GREETING GSTACKS_SANDBOX_ID HOME PATH PWD ", "only the sandbox's own environment")
    }

    /// The sandbox's user is root outside its user namespace, and the kernel lets that uid write sysctls: a sandbox that
    /// could write kernel.core_pattern would run a program of its own as root on the host. /proc/sys is read-only, and
    /// no capability lets the sandbox mount a fresh /proc. (The attempts write the value already there.)
    @Test func aSandboxCannotWriteSysctlsNorMountProc() async throws {
        guard case .bubblewrap = SandboxIsolation.detect() else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-driver-\(UUID().uuidString)")
        let driver = try ProcessDriver(root: root, logger: Logger(label: "test"))
        let id = UUID().uuidString.lowercased()
        let script = """
            v=$(cat /proc/sys/kernel/core_pattern); (printf '%s\\n' "$v" > /proc/sys/kernel/core_pattern) 2>/dev/null && echo WROTE > sysctl.txt || echo refused > sysctl.txt
            mkdir -p p; (mount -t proc proc p) 2>/dev/null && echo MOUNTED > mount.txt || echo refused > mount.txt
            grep CapEff /proc/self/status | tr -d '\\t' > caps.txt
            """
        try await driver.start(Self.session(id, ["/bin/sh", "-c", script]))
        var exits = driver.exits.makeAsyncIterator()
        _ = await exits.next()
        #expect(Self.read(root, id, "sysctl.txt") == "refused\n")
        #expect(Self.read(root, id, "mount.txt") == "refused\n")
        #expect(Self.read(root, id, "caps.txt") == "CapEff:0000000000000000\n")
    }

    /// A process that leaves the sandbox's process group (setsid) is still frozen and stopped with it, through the
    /// sandbox's cgroups (where the agent may create them).
    @Test func aProcessThatLeavesTheProcessGroupIsFrozenAndStoppedToo() async throws {
        guard FileManager.default.isWritableFile(atPath: "/sys/fs/cgroup/freezer") else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-driver-\(UUID().uuidString)")
        let driver = try ProcessDriver(root: root, allowUnconfined: true, logger: Logger(label: "test"))
        let id = UUID().uuidString.lowercased()
        try await driver.start(Self.session(id, ["/bin/sh", "-c", "setsid /bin/sh -c 'while :; do date +%s%N > escaped.new; mv escaped.new escaped; sleep 0.05; done' & sleep 600"]))
        try await Task.sleep(for: .milliseconds(300))
        try await driver.hibernate(id)
        try await Task.sleep(for: .milliseconds(150))
        let frozen = Self.read(root, id, "escaped")
        try await Task.sleep(for: .milliseconds(300))
        #expect(frozen != nil && Self.read(root, id, "escaped") == frozen, "frozen although it left the process group")
        try await driver.stop(id)
        let stopped = Self.read(root, id, "escaped")
        try await Task.sleep(for: .milliseconds(300))
        #expect(Self.read(root, id, "escaped") == stopped, "stopped although it left the process group")
    }

    /// The first sandbox that ends on its own, waiting at most 10 s.
    static func nextExit(_ driver: ProcessDriver) async -> SessionExit? {
        await withTaskGroup(of: SessionExit?.self) { group in
            group.addTask {
                var exits = driver.exits.makeAsyncIterator()
                return await exits.next()
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// A driver that starts on a directory ends the frozen sandboxes an earlier driver there left (as an agent
    /// killed while they were hibernated would), and leaves those of a driver on another directory alone.
    @Test(arguments: isolations())
    func aDriverEndsWhatAnEarlierOneLeftInItsDirectoryOnly(isolation: SandboxIsolation) async throws {
        let ticking = ["/bin/sh", "-c", "while :; do date +%s%N > tick.new; mv tick.new tick; sleep 0.05; done"]
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-driver-\(UUID().uuidString)")
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-driver-\(UUID().uuidString)")
        let earlier = try ProcessDriver(root: root, isolation: isolation, allowUnconfined: true, logger: Logger(label: "test"))
        let neighbour = try ProcessDriver(root: other, isolation: isolation, allowUnconfined: true, logger: Logger(label: "test"))
        let left = UUID().uuidString.lowercased()
        let kept = UUID().uuidString.lowercased()
        try await earlier.start(Self.session(left, ticking))
        try await neighbour.start(Self.session(kept, ticking))
        try await Task.sleep(for: .milliseconds(300))
        try await earlier.hibernate(left)
        try await neighbour.hibernate(kept)

        _ = try ProcessDriver(root: root, isolation: isolation, allowUnconfined: true, logger: Logger(label: "test"))
        let ended = await Self.nextExit(earlier)
        #expect(ended?.sessionID == left && ended?.exitStatus == 128 + Int(SIGKILL), "the frozen sandbox was killed: \(String(describing: ended))")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(left).path), "its directory stays until it is deleted")

        #expect(await neighbour.isRunning(kept), "another directory's sandbox is not touched")
        try await neighbour.wake(kept)
        let before = Self.read(other, kept, "tick")
        try await Task.sleep(for: .milliseconds(300))
        #expect(Self.read(other, kept, "tick") != before, "and still runs")
        try await neighbour.stop(kept)
    }

    /// Deleting a sandbox removes its directory, files included (a stopped one keeps it); a repeat does nothing.
    @Test(arguments: isolations())
    func deleteRemovesTheSandboxsDirectory(isolation: SandboxIsolation) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-driver-\(UUID().uuidString)")
        let driver = try ProcessDriver(root: root, isolation: isolation, allowUnconfined: true, logger: Logger(label: "test"))
        let id = UUID().uuidString.lowercased()
        try await driver.start(Self.session(id, ["/bin/sh", "-c", "mkdir -p a/b; echo kept > a/b/file; sleep 600"]))
        try await Task.sleep(for: .milliseconds(300))
        try await driver.stop(id)
        #expect(Self.read(root, id, "a/b/file") == "kept\n", "a stopped sandbox keeps its files")
        try await driver.delete(id)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(id).path))
        try await driver.delete(id)
        await #expect(throws: DriverError.self) { try await driver.delete("../escape") }
    }

    /// An agent that ends stops every sandbox it runs, so none keeps running untracked.
    @Test func stopAllEndsEverySandbox() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-driver-\(UUID().uuidString)")
        let driver = try ProcessDriver(root: root, allowUnconfined: true, logger: Logger(label: "test"))
        for _ in 0..<3 {
            try await driver.start(Self.session(UUID().uuidString.lowercased(), ["sleep", "600"]))
        }
        #expect(await driver.sessions().count == 3)
        await driver.stopAll()
        #expect(await driver.sessions().isEmpty)
    }
}
