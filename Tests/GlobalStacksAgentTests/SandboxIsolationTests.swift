import Foundation
import GlobalStacksAgent
import Testing

@Suite("Sandbox isolation")
struct SandboxIsolationTests {
    /// bubblewrap installed outside the usual places (a prefix of its own, a Nix profile) is found on PATH.
    @Test func bubblewrapIsFoundOnPathBeforeTheUsualPlaces() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bwrap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bwrap = directory.appendingPathComponent("bwrap")
        try Data("#!/bin/sh\n".utf8).write(to: bwrap)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bwrap.path)

        #expect(SandboxIsolation.detect(path: "/nonexistent:\(directory.path)") == .bubblewrap(path: bwrap.path))
    }
}
