import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// `filesystem.Filesystem`: the workspace's files, through the same service as the v1 API's.
extension EnvdCall {
    /// Entries a `ListDir` of some depth returns at most.
    static let maximumListedEntries = 10_000
    static let maximumDepth = 16

    func filesystem(_ method: String) async throws -> Response {
        switch method {
        case "Stat":
            let path = try EnvdPath(try await ConnectProtocol.unaryRequest(Envd.PathRequest.self, request).path)
            let entry = try await workspace.file(at: path.relative, of: sandbox, caller: caller)
            return try ConnectProtocol.unaryResponse(Envd.EntryResponse(entry: .init(entry, at: path)))
        case "ListDir":
            let message = try await ConnectProtocol.unaryRequest(Envd.PathRequest.self, request)
            let path = try EnvdPath(message.path)
            let depth = max(1, message.depth ?? 1)
            guard depth <= Self.maximumDepth else { throw DomainError.invalidInput("depth is at most \(Self.maximumDepth).") }
            return try ConnectProtocol.unaryResponse(Envd.ListDirResponse(entries: try await list(path, depth: depth).map { .init($0, at: path) }))
        case "MakeDir":
            let path = try EnvdPath(try await ConnectProtocol.unaryRequest(Envd.PathRequest.self, request).path)
            return try ConnectProtocol.unaryResponse(Envd.EntryResponse(entry: .init(try await makeDirectories(path.relative), at: path)))
        case "Move":
            let message = try await ConnectProtocol.unaryRequest(Envd.MoveRequest.self, request)
            let (source, destination) = (try EnvdPath(message.source), try EnvdPath(message.destination))
            let moved = try await workspace.moveFile(from: source.relative, to: destination.relative, of: sandbox, caller: caller)
            return try ConnectProtocol.unaryResponse(Envd.EntryResponse(entry: .init(moved, at: destination)))
        case "Remove":
            let path = try EnvdPath(try await ConnectProtocol.unaryRequest(Envd.PathRequest.self, request).path)
            guard path.relative != "." else { throw DomainError.invalidInput("The workspace itself cannot be removed.") }
            try await workspace.deleteFile(at: path.relative, recursive: true, of: sandbox, caller: caller)
            return try ConnectProtocol.unaryResponse(Envd.Empty())
        default:
            guard let response = try await watch(method) else {
                throw ConnectError(code: "unimplemented", message: "filesystem.Filesystem has no method \(method.prefix(64)).")
            }
            return response
        }
    }

    /// Entries down to `depth` levels below the directory, not following symlinks, breadth first.
    private func list(_ path: EnvdPath, depth: Int) async throws -> [FileEntry] {
        var found: [FileEntry] = []
        var level = [path.relative]
        for _ in 0..<depth where !level.isEmpty {
            var next: [String] = []
            for directory in level {
                let entries = try await workspace.files(in: directory, of: sandbox, caller: caller).entries
                found += entries
                next += entries.filter { $0.kind == .directory }.map(\.path)
                guard found.count <= Self.maximumListedEntries else {
                    throw DomainError.tooLarge("More than \(Self.maximumListedEntries) entries; list with a smaller depth.")
                }
            }
            level = next
        }
        return found
    }

    /// envd writes a file into directories it makes as needed.
    func makeParentDirectories(of relative: String) async throws {
        let parent = relative.split(separator: "/").dropLast().joined(separator: "/")
        guard !parent.isEmpty else { return }
        do {
            _ = try await workspace.file(at: parent, of: sandbox, caller: caller)
        } catch let error as DomainError where error.kind == .notFound {
            _ = try await makeDirectories(parent)
        }
    }

    /// `mkdir -p`, as envd's MakeDir: the missing parents too; the directory itself already there is a conflict
    /// (its SDK answers false).
    private func makeDirectories(_ relative: String) async throws -> FileEntry {
        let parts = relative.split(separator: "/").map(String.init)
        guard !parts.isEmpty, relative != "." else { throw DomainError.conflict("The workspace already exists.") }
        guard parts.count <= Self.maximumDepth * 4 else {
            throw DomainError.invalidInput("At most \(Self.maximumDepth * 4) directories are made at once.")
        }
        for index in parts.indices.dropLast() {
            let parent = parts[...index].joined(separator: "/")
            do {
                _ = try await workspace.makeDirectory(at: parent, of: sandbox, caller: caller)
            } catch let error as DomainError where error.kind == .conflict {
                guard try await workspace.file(at: parent, of: sandbox, caller: caller).kind == .directory else {
                    throw DomainError.invalidInput("\(parent) exists and is not a directory.")
                }
            }
        }
        return try await workspace.makeDirectory(at: relative, of: sandbox, caller: caller)
    }
}

/// Watching a directory: `WatchDir` streams the changes (the async SDK); the sync SDK polls a watcher.
extension EnvdCall {
    func watch(_ method: String) async throws -> Response? {
        switch method {
        case "WatchDir":
            let message = try await ConnectProtocol.streamRequest(Envd.WatchRequest.self, request)
            let path = try EnvdPath(message.path)
            let watch = try await workspace.watch(path.relative, recursive: message.recursive ?? false, in: sandbox, caller: caller)
            let interval = keepaliveInterval
            return ConnectProtocol.streamResponse { writer in
                let changes = ConnectProtocol.keepingAlive(every: interval, with: Envd.WatchEvent.keepalive) { continuation in
                    _ = try? await FilesystemChanges.forward(watch) { continuation.yield(.filesystem(.init($0))) }
                }
                do {
                    try await writer.write(ConnectProtocol.envelope(Envd.WatchEvent.start))
                    for await event in changes { try await writer.write(ConnectProtocol.envelope(event)) }
                } catch {
                    await watch.cancel()
                    throw error
                }
            }
        case "CreateWatcher":
            let message = try await ConnectProtocol.unaryRequest(Envd.WatchRequest.self, request)
            let path = try EnvdPath(message.path)
            let watch = try await workspace.watch(path.relative, recursive: message.recursive ?? false, in: sandbox, caller: caller)
            return try ConnectProtocol.unaryResponse(Envd.WatcherCreated(watcherId: try await endpoint.watchers.add(watch, in: sandbox)))
        case "GetWatcherEvents":
            let id = try await ConnectProtocol.unaryRequest(Envd.WatcherRequest.self, request).watcherId
            let changes = try await endpoint.watchers.take(id, in: sandbox)
            return try ConnectProtocol.unaryResponse(Envd.WatcherEvents(events: changes.map(Envd.FilesystemEvent.init)))
        case "RemoveWatcher":
            let id = try await ConnectProtocol.unaryRequest(Envd.WatcherRequest.self, request).watcherId
            try await endpoint.watchers.remove(id, in: sandbox)
            return try ConnectProtocol.unaryResponse(Envd.Empty())
        default:
            return nil
        }
    }
}
