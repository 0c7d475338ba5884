import Foundation
@testable import GlobalStacksAgent
import Testing

@Suite("Output tail")
struct OutputTailTests {
    static func directory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func theLastLinesAreKeptWithoutControlCharacters() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("output.log")
        let lines = (1...30).map { "line \($0)" } + ["bwrap: execvp /bin/nope: No such file or directory\u{1b}[0m", ""]
        try Data(lines.joined(separator: "\n").utf8).write(to: file)
        let tail = OutputTail.read(file)
        #expect(tail.split(separator: "\n").count == OutputTail.maximumLines)
        #expect(tail.hasPrefix("line 22\n") && tail.hasSuffix("No such file or directory?[0m"), "\(tail)")

        // A long last line is cut from the start, never past the byte limit.
        try Data((String(repeating: "x", count: 5_000) + "\nend").utf8).write(to: file)
        #expect(OutputTail.read(file) == "end")
    }

    /// The sandbox owns its output file: one it replaced by a symlink to a host file (or a FIFO) gives nothing.
    @Test func aReplacedOutputFileIsNotFollowed() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let secret = directory.appendingPathComponent("host-secret")
        try Data("host secret\n".utf8).write(to: secret)
        let file = directory.appendingPathComponent("output.log")
        try FileManager.default.createSymbolicLink(at: file, withDestinationURL: secret)
        #expect(OutputTail.read(file) == "")
        try FileManager.default.removeItem(at: file)
        #expect(mkfifo(file.path, 0o600) == 0)
        #expect(OutputTail.read(file) == "")
        #expect(OutputTail.read(directory.appendingPathComponent("missing")) == "")
    }
}
