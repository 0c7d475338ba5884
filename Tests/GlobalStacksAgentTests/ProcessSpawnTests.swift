import Foundation
@testable import GlobalStacksAgent
import Testing

/// An ended process stays a zombie until whoever signals its group is done, so its pid (its group's id) cannot be
/// handed to another process meanwhile: the cause of sandboxes killed by a stranger's late `kill(-pid, SIGKILL)`.
@Suite("Process spawn")
struct ProcessSpawnTests {
    @Test func anEndedProcessKeepsItsPidUntilReaped() async throws {
        for (command, exitCode, signal) in [("exit 3", 3 as Int?, nil as Int32?), ("kill -9 $$", nil, SIGKILL)] {
            let pid = try ProcessSpawn.spawn(["/bin/sh", "-c", command], standard: [])
            let (status, reaper) = await withCheckedContinuation { continuation in
                ProcessSpawn.waitUnreaped(for: pid) { continuation.resume(returning: ($0, $1)) }
            }
            #expect(ProcessSpawn.exitCode(status) == exitCode && ProcessSpawn.terminatingSignal(status) == signal, "\(command): \(status)")
            // Ended, not reaped: its group id still names it, and signalling the group reaches no one else.
            #expect(kill(-pid, 0) == 0, "\(command): the group is still there")
            let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            #expect(stat[stat.index(after: stat.lastIndex(of: ")")!)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z"), "\(stat)")
            reaper.reap()
            reaper.reap()
            #expect(kill(pid, 0) == -1 && errno == ESRCH, "\(command): reaped once")
        }
    }
}
