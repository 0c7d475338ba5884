import Foundation
@testable import GlobalStacksAgent
import Testing

@Suite("Disk use of a sandbox directory")
struct DiskUsageTests {
    private static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-disk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func linksAreCountedOnceAndNotFollowedAndEmptyFilesAreNotFree() throws {
        let root = try Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let outside = try Self.directory()
        defer { try? FileManager.default.removeItem(at: outside) }
        try Data(count: 200_000).write(to: outside.appendingPathComponent("big"))
        try Data(repeating: 1, count: 100_000).write(to: root.appendingPathComponent("data"))
        #expect(link(root.appendingPathComponent("data").path, root.appendingPathComponent("again").path) == 0)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("elsewhere"), withDestinationURL: outside)
        guard case .within(let base) = DiskUsage.measure(root, limit: 1 << 30) else { Issue.record("not measured"); return }
        #expect(base < 150_000, "the second link and the link's target are not counted: \(base)")

        for index in 0..<100 { FileManager.default.createFile(atPath: root.appendingPathComponent("empty\(index)").path, contents: nil) }
        guard case .within(let withEmpty) = DiskUsage.measure(root, limit: 1 << 30) else { Issue.record("not measured"); return }
        #expect(withEmpty - base == 100 * DiskUsage.minimumCharge)
        guard case .over(let used) = DiskUsage.measure(root, limit: 200_000) else { Issue.record("not over"); return }
        #expect(used > 200_000)
    }

    @Test func aTreeTooDeepToMeasureIsReportedNotSkipped() throws {
        let root = try Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        // Deeper than the walk goes, and with a total path far past PATH_MAX.
        var descriptor = open(root.path, O_RDONLY | O_DIRECTORY)
        for _ in 0...DiskUsage.maximumDepth {
            #expect(mkdirat(descriptor, String(repeating: "d", count: 200), 0o755) == 0)
            let next = openat(descriptor, String(repeating: "d", count: 200), O_RDONLY | O_DIRECTORY)
            close(descriptor)
            descriptor = next
        }
        close(descriptor)
        guard case .unmeasurable(let problem) = DiskUsage.measure(root, limit: 1 << 30) else { Issue.record("measured"); return }
        #expect(problem.contains("nest deeper"))
        // FileManager cannot remove paths this long: take the tree down the same way it was built.
        _ = Process.runToEnd("/bin/rm", ["-rf", root.path])
    }
}

private extension Process {
    static func runToEnd(_ path: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
