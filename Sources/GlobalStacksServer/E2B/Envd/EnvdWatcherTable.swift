import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases

/// The sync SDK's watchers (`CreateWatcher`, then `GetWatcherEvents` to poll, `RemoveWatcher`): each is a directory
/// watch of the workspace whose changes wait here until polled, per sandbox.
actor EnvdWatcherTable {
    private struct Watcher {
        let sandbox: SandboxID
        let watch: any InteractiveExec
        var changes: [FilesystemChange] = []
        var lost = 0
    }

    private var watchers: [String: Watcher] = [:]
    static let maximumPerSandbox = 16
    /// Changes kept between two polls; past it the oldest are dropped.
    static let maximumPending = 10_000

    func add(_ watch: any InteractiveExec, in sandbox: SandboxID) async throws -> String {
        guard watchers.values.filter({ $0.sandbox == sandbox }).count < Self.maximumPerSandbox else {
            await watch.cancel()
            throw DomainError(.tooManyRequests(retryAfterSeconds: 1), "This sandbox has \(Self.maximumPerSandbox) watchers already; remove one first.")
        }
        let id = UUID().uuidString.lowercased()
        watchers[id] = Watcher(sandbox: sandbox, watch: watch)
        Task {
            _ = try? await FilesystemChanges.forward(watch) { change in await self.record(change, for: id) }
            // The directory or the sandbox is gone: the watcher goes too (a later poll is answered not found).
            await self.forget(id)
        }
        return id
    }

    private func forget(_ id: String) {
        watchers[id] = nil
    }

    private func record(_ change: FilesystemChange, for id: String) {
        guard var watcher = watchers[id] else { return }
        watcher.changes.append(change)
        if watcher.changes.count > Self.maximumPending {
            watcher.changes.removeFirst()
            watcher.lost += 1
        }
        watchers[id] = watcher
    }

    /// The changes since the last poll.
    func take(_ id: String, in sandbox: SandboxID) throws -> [FilesystemChange] {
        guard var watcher = watchers[id], watcher.sandbox == sandbox else { throw DomainError.notFound("No watcher \(id.prefix(64)) in this sandbox.") }
        defer {
            watcher.changes = []
            watchers[id] = watcher
        }
        return watcher.changes
    }

    func remove(_ id: String, in sandbox: SandboxID) async throws {
        guard let watcher = watchers[id], watcher.sandbox == sandbox else { throw DomainError.notFound("No watcher \(id.prefix(64)) in this sandbox.") }
        watchers[id] = nil
        await watcher.watch.cancel()
    }
}

/// A watch's JSON lines, decoded as they come.
enum FilesystemChanges {
    static func forward(_ watch: any InteractiveExec, to deliver: @escaping @Sendable (FilesystemChange) async -> Void) async throws -> ExecResult {
        let pending = LineBuffer()
        return try await watch.forwardOutput { channel, bytes in
            guard channel == .stdout else { return }
            for line in await pending.lines(adding: bytes) {
                if let change = try? JSONDecoder().decode(FilesystemChange.self, from: Data(line)) { await deliver(change) }
            }
        }
    }
}

/// Bytes cut into lines, across chunks (a line longer than 64 KiB is dropped).
actor LineBuffer {
    private var partial: [UInt8] = []

    func lines(adding bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        partial += bytes
        var lines: [ArraySlice<UInt8>] = []
        var start = partial.startIndex
        while let newline = partial[start...].firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(partial[start..<newline])
            start = newline + 1
        }
        partial = Array(partial[start...])
        if partial.count > 64 << 10 { partial = [] }
        return lines
    }
}
