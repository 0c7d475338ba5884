import Foundation
import GlobalStacksAgentProtocol

extension TemplateBuilder {
    /// `snapshot_session`: the sandbox's template root with its writable layer over it, and its workspace directory's
    /// files as `/workspace` (without the main process's `output.log`), written as a template's archive while the
    /// driver holds the sandbox frozen, uploaded, and kept in the store for sandboxes here.
    public func snapshot(_ payload: SnapshotSessionPayload, driver: any SandboxDriver) async throws -> TemplateBuildResult {
        let scratch = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let archive = scratch.appendingPathComponent("snapshot.tar.zst")
        let merged = scratch.appendingPathComponent("merged")
        try FileManager.default.createDirectory(at: merged, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let (hex, size) = try await driver.withFilesystem(payload.sessionId) { filesystem in
            let name = filesystem.workspace.lastPathComponent
            // Two parts: the root without its /workspace mount point, then the workspace directory renamed to it.
            let tar = TemplateArchive.tarArgv([
                "--anchored", "--exclude=./workspace", "--exclude=\(name)/\(SandboxEntry.outputFile)", "--transform=s,^\(name),workspace,S",
                "-C", merged.path, ".", "-C", filesystem.workspace.deletingLastPathComponent().path, name,
            ])
            return try await TemplateArchive.pack(try OverlayMount(lowers: [filesystem.upper, filesystem.templateRoot], writable: nil, merged: merged).argv(tar), to: archive)
        }
        let received = try await transfer.upload(archive, hex: hex, size: size, to: payload.upload)
        try await keep(archive, hex: hex)
        return TemplateBuildResult(digest: received.digest, sizeBytes: size, steps: 0, cachedSteps: 0)
    }
}

/// What a snapshot saves of a sandbox started from a template.
public struct SandboxFilesystem: Sendable {
    public let templateRoot: URL
    /// The sandbox's writable layer over it (an overlay's upper directory: its whiteouts hide the template's files).
    public let upper: URL
    /// Its `/workspace`, a directory of its own.
    public let workspace: URL
}

extension SandboxDriver {
    /// Runs `body` with the sandbox's filesystem held still (a running sandbox frozen, thawed afterwards).
    public func withFilesystem<T: Sendable>(_ sessionID: String, _ body: @Sendable (SandboxFilesystem) async throws -> T) async throws -> T {
        throw DriverError("This agent's driver cannot save a sandbox's filesystem.", kind: .conflict)
    }
}
