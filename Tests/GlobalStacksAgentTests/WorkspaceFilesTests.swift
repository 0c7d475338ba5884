import Foundation
@testable import GlobalStacksAgent
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Testing

/// Paths resolve beneath the workspace at the system-call level; tried here against a real directory with a
/// sibling the workspace must never reach.
@Suite("Workspace files")
struct WorkspaceFilesTests {
    let base: URL
    let workspace: URL
    let outside: URL
    let files: WorkspaceFiles

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-files-\(UUID().uuidString)")
        workspace = base.appendingPathComponent("workspace")
        outside = base.appendingPathComponent("outside")
        for directory in [workspace, outside] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        try "secret".write(to: outside.appendingPathComponent("secret"), atomically: true, encoding: .utf8)
        files = WorkspaceFiles(root: workspace)
    }

    func refusal(_ work: () throws -> some Any) -> FailureKind? {
        do {
            _ = try work()
            return nil
        } catch let error as DriverError {
            return error.kind
        } catch {
            return nil
        }
    }

    @Test func nothingLeadsOutsideTheWorkspace() throws {
        try FileManager.default.createSymbolicLink(atPath: workspace.appendingPathComponent("out").path, withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(atPath: workspace.appendingPathComponent("up").path, withDestinationPath: "../outside/secret")
        for path in ["../outside/secret", "/etc/passwd", "\(outside.path)/secret", "out/secret", "up", "a/../../outside/secret", "/workspace/../outside/secret"] {
            #expect(refusal { try files.openForReading(path) } == .invalidInput || refusal { try files.openForReading(path) } == .notFound, "\(path)")
            #expect(refusal { try files.beginWrite(path + "/new") } != nil, "\(path)")
            #expect(refusal { try files.list(path) } != nil, "\(path)")
        }
        #expect(refusal { try files.makeDirectory("out/new") } == .invalidInput)
        #expect(refusal { try files.move(from: "out/secret", to: "stolen") } == .invalidInput)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["secret"])
        // The last name is acted on, not followed: a symlink is described, moved and deleted as a symlink.
        #expect(try files.stat("out").kind == .symlink)
        try files.delete("out", recursive: true)
        #expect(FileManager.default.fileExists(atPath: outside.appendingPathComponent("secret").path), "deleting a link leaves its target")
    }

    @Test func aRecursiveDeleteNeverFollowsALinkOut() throws {
        try files.makeDirectory("tree")
        try files.makeDirectory("tree/inner")
        try FileManager.default.createSymbolicLink(atPath: workspace.appendingPathComponent("tree/inner/link").path, withDestinationPath: outside.path)
        #expect(refusal { try files.delete("tree", recursive: false) } == .conflict)
        try files.delete("tree", recursive: true)
        #expect(refusal { try files.stat("tree") } == .notFound)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["secret"])
    }

    @Test func aWriteIsWholeOrAbsent() throws {
        let pending = try files.beginWrite("/workspace/file.txt")
        try pending.write(Array("half".utf8))
        pending.abandon()
        #expect(try files.list(".").entries.isEmpty, "an abandoned write leaves nothing, not even its temporary file")

        let complete = try files.beginWrite("file.txt")
        try complete.write(Array("whole".utf8))
        let entry = try complete.commit()
        #expect(entry.size == 5 && entry.kind == .file && entry.path == "file.txt")
        #expect(try String(contentsOf: workspace.appendingPathComponent("file.txt"), encoding: .utf8) == "whole")
        #expect(try files.list(".").entries.map(\.name) == ["file.txt"])
        #expect(refusal { try files.beginWrite(".") } == .invalidInput)
    }

    /// A FIFO the sandbox put in place of a file is refused at once, not waited on for a writer.
    @Test func aFIFOIsRefusedWithoutWaiting() throws {
        #expect(mkfifo(workspace.appendingPathComponent("output.log").path, 0o644) == 0)
        #expect(refusal { try files.openForReading("output.log") } == .conflict)
        #expect(refusal { try files.delete(".", recursive: true) } == .invalidInput, "the workspace itself is not deleted")
        #expect(refusal { try files.delete("/workspace", recursive: true) } == .invalidInput)
        #expect(try files.stat("output.log").kind == .other, "and it is still there")
    }

    @Test func theTailStartsAtTheRightLine() throws {
        let log = workspace.appendingPathComponent("output.log")
        try "one\ntwo\nthree\n".write(to: log, atomically: true, encoding: .utf8)
        let (fd, size) = try files.openForReading("output.log")
        defer { close(fd) }
        #expect(WorkspaceRunner.tailOffset(fd, size: size, lines: 2) == 4, "two\\nthree\\n")
        #expect(WorkspaceRunner.tailOffset(fd, size: size, lines: 10) == 0)
        #expect(WorkspaceRunner.tailOffset(fd, size: size, lines: 0) == off_t(size))
    }
}
