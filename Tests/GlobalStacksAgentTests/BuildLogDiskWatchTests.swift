import Foundation
import GlobalStacksAgentProtocol
@testable import GlobalStacksAgent
import Testing

/// A build's process that writes more than a step may is stopped and refused, rather than filling the agent's disk.
@Suite("Build log: disk watch")
struct BuildLogDiskWatchTests {
    @Test func aProcessThatWritesPastItsLimitIsStoppedAndRefused() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-disk-watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let window = CreditWindow()
        let log = BuildLog(commandID: "c", window: window, sink: TemplateFixture.LogSink(window: window))
        let started = ContinuousClock.now
        do {
            _ = try await log.run(
                ["/bin/sh", "-c", "head -c 4000000 /dev/zero > \(directory.path)/big; sleep 60"],
                disk: DiskWatch(directories: [directory], limit: 1 << 20)
            )
            Issue.record("the process was not stopped")
        } catch let error as DriverError {
            #expect(error.description.contains("the most one step may") && error.kind == .invalidInput, "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(50), "stopped, not waited for")

        let within = try await log.run(["/bin/sh", "-c", "head -c 1000 /dev/zero > \(directory.path)/small"], disk: DiskWatch(directories: [directory], limit: 1 << 30))
        #expect(within.status == 0)
    }
}
