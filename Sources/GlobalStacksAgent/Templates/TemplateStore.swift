import Foundation
import GlobalStacksAgentProtocol
import Logging

/// Templates' roots on this agent, unpacked, by digest: `<directory>/<hex>`. A root is fetched with its grant on first
/// use, its archive checked against the digest before anything is unpacked, unpacked into a staging directory and
/// renamed into place whole; it is then used as it is by every sandbox and build of that digest (read-only: they see
/// it through an overlay). Concurrent requests for one digest fetch it once. A template built on this agent is put
/// here by its builder, so its first sandbox fetches nothing.
public actor TemplateStore {
    public nonisolated let directory: URL
    private let transfer: TemplateTransfer
    private let logger: Logger
    private var fetching: [String: Task<URL, any Error>] = [:]

    /// Removes what an interrupted fetch left (staging directories).
    public init(directory: URL, serverURL: URL, logger: Logger) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try OverlayMount.requireUsable(directory)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix(".staging-") {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
        self.directory = directory
        transfer = TemplateTransfer(serverURL: serverURL)
        self.logger = logger
    }

    /// Where the root of a digest is (or would be).
    nonisolated func path(hex: String) -> URL { directory.appendingPathComponent(hex) }

    /// The root of `artifact`, fetched and unpacked if this agent does not have it yet.
    public func root(_ artifact: TemplateArtifact) async throws -> URL {
        let hex = try TemplateTransfer.hex(artifact.digest)
        let root = path(hex: hex)
        if FileManager.default.fileExists(atPath: root.path) { return root }
        if let task = fetching[hex] { return try await task.value }
        let task = Task { try await self.fetch(artifact, hex: hex, into: root) }
        fetching[hex] = task
        defer { fetching[hex] = nil }
        return try await task.value
    }

    /// Keeps `tree` (a root made on this agent, on the same filesystem) as the root of `hex`: it is moved into place.
    /// A root already there is kept and `tree` removed.
    @discardableResult
    public func put(_ tree: URL, hex: String) throws -> URL {
        let root = path(hex: hex)
        do {
            try FileManager.default.moveItem(at: tree, to: root)
        } catch where FileManager.default.fileExists(atPath: root.path) {
            try? FileManager.default.removeItem(at: tree)
        }
        return root
    }

    /// A fresh staging directory beside the roots (so that a rename puts it in place).
    nonisolated func staging() throws -> URL {
        let staging = directory.appendingPathComponent(".staging-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        return staging
    }

    private func fetch(_ artifact: TemplateArtifact, hex: String, into root: URL) async throws -> URL {
        let staging = try staging()
        defer { try? FileManager.default.removeItem(at: staging) }
        let archive = staging.appendingPathComponent("archive.tar.zst")
        try await transfer.download(artifact, to: archive)
        let tree = staging.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        try await TemplateArchive.unpack(archive, into: tree)
        try? FileManager.default.removeItem(at: archive)
        let placed = try put(tree, hex: hex)
        logger.info("Template fetched, verified and unpacked", metadata: ["digest": "\(artifact.digest)", "bytes": "\(artifact.sizeBytes)"])
        return placed
    }
}
