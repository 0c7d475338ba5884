import Foundation
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import Testing

/// A sandbox leaves nothing on its host once it is gone: a deleted sandbox's directory and groups are removed, and
/// an agent killed while its sandboxes were frozen (`--die-with-parent` cannot end a frozen process) ends them when
/// it starts again on the same directory.
@Suite("Sandboxes leave nothing behind", .serialized)
struct SandboxCleanupTests {
    typealias Installation = SandboxEndToEndTests.Installation

    /// Host processes whose command line names `directory` (bubblewrap's, the limit wrapper's), alive (not zombies).
    static func processes(naming directory: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(pid_t.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  data.split(separator: 0).contains(where: { String(decoding: $0, as: UTF8.self) == directory })
            else { return false }
            return isAlive(pid)
        }
    }

    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.range(of: ") ", options: .backwards)
        else { return false }
        return !stat[afterName.upperBound...].hasPrefix("Z")
    }

    /// The cgroup directories (v1) of a process that belong to the sandbox `id`.
    static func groups(of pid: pid_t, sandbox id: String) -> [String] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[1].isEmpty, parts[2].contains(id) else { return nil }
            return "/sys/fs/cgroup/\(parts[1].replacingOccurrences(of: "name=", with: ""))\(parts[2])"
        }
    }

    /// Polls (≤ 15 s) until `done` holds.
    static func eventually(_ done: () -> Bool) async throws -> Bool {
        for _ in 0..<150 {
            if done() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return done()
    }

    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"))
    func anAgentKilledWhileItsSandboxIsFrozenEndsItWhenItStartsAgain() async throws {
        let installation = try await Installation.start(.sqlite)
        let id = try await installation.create(SandboxEndToEndTests.ticking)
        try await installation.wait(id, for: .running)
        _ = try await installation.api.hibernateSandbox(id)
        try await installation.wait(id, for: .hibernated)
        let directory = installation.agent.sandboxDirectory + "/" + id
        let frozen = Self.processes(naming: directory)
        #expect(!frozen.isEmpty, "bubblewrap's processes name the sandbox's directory")
        let groups = Set(frozen.flatMap { Self.groups(of: $0, sandbox: id) })

        installation.agent.kill()
        try await Task.sleep(for: .milliseconds(500))
        #expect(frozen.contains(where: Self.isAlive), "a frozen sandbox outlives its killed agent (else this test proves nothing)")

        let restarted = try AgentProcess(server: installation.server, name: "rack-1", credentialsFile: installation.agent.credentialsFile, token: nil)
        defer { restarted.kill() }
        #expect(try await Self.eventually { !frozen.contains(where: Self.isAlive) }, "the restarted agent ended the frozen sandbox: \(frozen.filter(Self.isAlive))")
        #expect(try await Self.eventually { groups.allSatisfy { !FileManager.default.fileExists(atPath: $0) } }, "and removed its groups: \(groups)")
        let failed = try await installation.wait(id, for: .failed)
        #expect(failed.lastError?.contains("restarted") == true, "\(failed)")
        #expect(FileManager.default.fileExists(atPath: directory), "its directory stays until the sandbox is deleted")
    }

    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func deletingASandboxRemovesItsDirectory(_ engine: TestEngine) async throws {
        let installation = try await Installation.start(engine)
        let id = try await installation.create(["/bin/sh", "-c", "mkdir -p data/deep; echo secret > data/deep/notes.txt; echo ready > ready; sleep 600"])
        try await installation.wait(id, for: .running)
        #expect(try await installation.agent.awaitSandboxFile(id, "ready") == "ready\n")
        let directory = installation.agent.sandboxDirectory + "/" + id

        _ = try await installation.api.stopSandbox(id)
        try await installation.wait(id, for: .stopped)
        #expect(installation.agent.sandboxFile(id, "data/deep/notes.txt") == "secret\n", "a stopped sandbox keeps its files")

        _ = try await installation.api.deleteSandbox(id)
        #expect(try await Self.eventually { !FileManager.default.fileExists(atPath: directory) }, "the deleted sandbox's directory is gone from the host")
        var commands = try await installation.api.sandboxCommands(id)
        for _ in 0..<100 where commands.last?.status != .completed {
            try await Task.sleep(for: .milliseconds(100))
            commands = try await installation.api.sandboxCommands(id)
        }
        #expect(commands.map(\.action.rawValue) == ["start_session", "stop_session", "delete_session"], "\(commands)")
        #expect(commands.allSatisfy { $0.status == .completed }, "\(commands)")
        #expect(try await installation.api.sandbox(id).state == .terminated)
    }
}
