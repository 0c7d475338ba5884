import CGlobalStacksSystem
import Dispatch
import Foundation
#if canImport(Glibc)
// `stat`'s members (see DiskUsage).
import CoreFoundation
import Glibc
#endif
import GlobalStacksAgentProtocol
import GlobalStacksDomain

/// `watch_directory`: the changes in a directory of a sandbox's workspace, seen with inotify on a thread of its own,
/// each sent as one `FilesystemChange` JSON line on `stdout` frames within the command's credit. The directory is
/// resolved beneath the workspace like every file path (a symlink leading out is refused) and watched through its
/// descriptor (`/proc/self/fd/N`), so what is watched is what was resolved; subdirectories (with `recursive`) are
/// resolved beneath it the same way. It runs until the command is cancelled, and completes when the directory is
/// removed.
enum DirectoryWatch {
    /// Batches of changes read but not yet sent: reading waits beyond this (inotify's own queue holds the rest).
    static let batchesInFlight = 8

    private enum Report: Sendable {
        /// The watch is in place: changes from now on are seen.
        case ready
        /// Lines, at most a frame's worth.
        case changes([UInt8])
        case removed
        case failed(DriverError)
    }

    static func run(_ id: String, _ payload: WatchDirectoryPayload, files: WorkspaceFiles, window: CreditWindow, sink: any AgentMessageSink) async throws -> ExecResult {
        let started = ContinuousClock.now
        let directory = try files.openDirectory(payload.path)
        let (reports, continuation) = AsyncStream<Report>.makeStream()
        let stop = StopSignal()
        defer { stop.set() }
        // Created empty, then given its permits: libdispatch refuses to free a semaphore below its initial value, and a
        // watch may end with permits still taken.
        let inFlight = DispatchSemaphore(value: 0)
        for _ in 0..<batchesInFlight { inFlight.signal() }
        watchOnThread(directory, recursive: payload.recursive, into: continuation, inFlight: inFlight, stop: stop)
        try await withTaskCancellationHandler {
            reading: for await report in reports {
                switch report {
                case .ready:
                    await sink.send(StreamFrame(commandId: id, channel: .stdout, data: []))
                case .changes(let lines):
                    defer { inFlight.signal() }
                    try await window.spend(lines.count)
                    await sink.send(StreamFrame(commandId: id, channel: .stdout, data: lines))
                case .removed:
                    break reading
                case .failed(let error):
                    throw error
                }
            }
            try Task.checkCancellation()
        } onCancel: {
            stop.set()
        }
        for channel in [StreamFrame.Channel.stdout, .stderr] {
            await sink.send(StreamFrame(commandId: id, channel: channel, data: [], isEnd: true))
        }
        let elapsed = ContinuousClock.now - started
        return ExecResult(
            exitCode: 0, signal: nil, timedOut: false, stdoutTruncated: false, stderrTruncated: false,
            durationMilliseconds: Int(elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        )
    }

    /// Sets the watch up and reads its events on a small thread of its own until `stop` (or the directory is gone),
    /// then closes the directory's descriptor and the inotify instance.
    private static func watchOnThread(
        _ directory: Int32, recursive: Bool, into reports: AsyncStream<Report>.Continuation, inFlight: DispatchSemaphore, stop: StopSignal
    ) {
        let reader = Thread {
            defer {
                close(directory)
                reports.finish()
            }
            var watches: InotifyTree
            do throws(DriverError) {
                watches = try InotifyTree(directory: directory, recursive: recursive)
            } catch {
                reports.yield(.failed(error))
                return
            }
            defer { close(watches.inotify) }
            reports.yield(.ready)
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            var poller = pollfd(fd: watches.inotify, events: Int16(POLLIN), revents: 0)
            while !stop.isSet {
                let ready = poll(&poller, 1, 100)
                if ready < 0 && errno != EINTR { break }
                guard ready > 0 else {
                    if watches.isRemoved {
                        reports.yield(.removed)
                        return
                    }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { read(watches.inotify, $0.baseAddress, $0.count) }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                guard count > 0 else { break }
                let outcome: (frames: [[UInt8]], removed: Bool)
                do throws(DriverError) {
                    outcome = try watches.handle(buffer[0..<count])
                } catch {
                    reports.yield(.failed(error))
                    return
                }
                for frame in outcome.frames {
                    // A permit, looking at `stop` while waiting for one.
                    while inFlight.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
                        if stop.isSet { return }
                    }
                    if case .terminated = reports.yield(.changes(frame)) { return }
                }
                if outcome.removed || watches.isRemoved {
                    reports.yield(.removed)
                    return
                }
            }
        }
        reader.stackSize = 256 << 10
        reader.start()
    }
}

/// The inotify watches of one command: the directory and (recursively) its subdirectories, by watch descriptor, with
/// their paths relative to the directory. Used by the watching thread only.
private struct InotifyTree {
    // <sys/inotify.h>
    static let modify: UInt32 = 0x2, attrib: UInt32 = 0x4, closeWrite: UInt32 = 0x8, movedFrom: UInt32 = 0x40, movedTo: UInt32 = 0x80
    static let create: UInt32 = 0x100, delete: UInt32 = 0x200, deleteSelf: UInt32 = 0x400, unmount: UInt32 = 0x2000
    static let overflow: UInt32 = 0x4000, ignored: UInt32 = 0x8000, onlyDirectory: UInt32 = 0x0100_0000, isDirectory: UInt32 = 0x4000_0000
    static let watched = modify | attrib | closeWrite | movedFrom | movedTo | create | delete | deleteSelf | onlyDirectory
    static let headerBytes = 16
    /// At most one `write` per file in this interval (a file being written reports every write(2)).
    static let writeInterval: Duration = .milliseconds(50)

    let inotify: Int32
    private let directory: Int32
    private let recursive: Bool
    private var paths: [Int32: String] = [:]
    private var rootWatch: Int32 = -1
    private var lastWrites: [String: ContinuousClock.Instant] = [:]

    init(directory: Int32, recursive: Bool) throws(DriverError) {
        // IN_CLOEXEC | IN_NONBLOCK
        inotify = inotify_init1(0o2000000 | 0o4000)
        guard inotify >= 0 else { throw DriverError("Could not watch the directory: \(String(cString: strerror(errno))).") }
        self.directory = directory
        self.recursive = recursive
        do {
            rootWatch = try add(directory, path: "")
            if recursive { try addSubdirectories(of: "") }
        } catch {
            close(inotify)
            throw error
        }
    }

    /// Whether the watched directory was removed. The descriptor held for resolving its subdirectories keeps its
    /// dentry in use, which holds back inotify's IN_DELETE_SELF until it is closed; a directory removed has no link.
    var isRemoved: Bool {
        var info = Glibc.stat()
        return fstat(directory, &info) == 0 && info.st_nlink == 0
    }

    /// The lines of a batch of events, in frames; `removed` once the directory itself is gone.
    mutating func handle(_ events: ArraySlice<UInt8>) throws(DriverError) -> (frames: [[UInt8]], removed: Bool) {
        var frames: [[UInt8]] = []
        var frame: [UInt8] = []
        var removed = false
        var offset = events.startIndex
        while offset + Self.headerBytes <= events.endIndex {
            let (watch, mask, length) = events.withUnsafeBytes { bytes in
                let at = offset - events.startIndex
                return (bytes.loadUnaligned(fromByteOffset: at, as: Int32.self), bytes.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self),
                        Int(bytes.loadUnaligned(fromByteOffset: at + 12, as: UInt32.self)))
            }
            let nameBytes = events[(offset + Self.headerBytes)..<min(events.endIndex, offset + Self.headerBytes + length)].prefix { $0 != 0 }
            offset += Self.headerBytes + length
            if mask & Self.overflow != 0 {
                throw DriverError("More changes happened at once than the watch could follow; some were missed. Watch the directory again.", kind: .conflict)
            }
            if watch == rootWatch && mask & (Self.deleteSelf | Self.ignored | Self.unmount) != 0 {
                removed = true
                break
            }
            if mask & Self.ignored != 0 {
                paths[watch] = nil
                continue
            }
            // Events about a watched directory itself come again, named, from its parent's watch.
            guard let base = paths[watch], !nameBytes.isEmpty else { continue }
            let name = String(decoding: nameBytes, as: UTF8.self)
            let path = base.isEmpty ? name : base + "/" + name
            let isDirectory = mask & Self.isDirectory != 0
            let kind: FilesystemChange.Kind
            if mask & (Self.create | Self.movedTo) != 0 {
                kind = .create
                if recursive && isDirectory { try addTree(path) }
            } else if mask & Self.movedFrom != 0 {
                kind = .rename
                // Moved away: its watches go (when it was moved within, its new name is watched anew).
                if recursive && isDirectory { removeTree(path) }
            } else if mask & Self.delete != 0 {
                kind = .remove
            } else if mask & Self.attrib != 0 {
                kind = .chmod
            } else if mask & (Self.modify | Self.closeWrite) != 0 {
                guard shouldReportWrite(path) else { continue }
                kind = .write
            } else {
                continue
            }
            let line = FilesystemChange(type: kind, name: path).line
            if frame.count + line.count > StreamFrame.maximumDataBytes {
                frames.append(frame)
                frame = []
            }
            frame += line
        }
        if !frame.isEmpty { frames.append(frame) }
        return (frames, removed)
    }

    private mutating func shouldReportWrite(_ path: String) -> Bool {
        let now = ContinuousClock.now
        if let last = lastWrites[path], now - last < Self.writeInterval { return false }
        if lastWrites.count >= 1_024 { lastWrites = lastWrites.filter { now - $0.value < Self.writeInterval } }
        lastWrites[path] = now
        return true
    }

    /// Watches the directory at `path` (resolved beneath the watched directory, never through a final symlink) and
    /// its subdirectories; one that is gone again already is skipped.
    private mutating func addTree(_ path: String) throws(DriverError) {
        let fd = gstacks_open_beneath(directory, path, WorkspaceFiles.pathOnly | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = try add(fd, path: path)
        try addSubdirectories(of: path)
    }

    private mutating func addSubdirectories(of path: String) throws(DriverError) {
        let fd = gstacks_open_beneath(directory, path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
        guard fd >= 0, let listing = fdopendir(fd) else {
            if fd >= 0 { close(fd) }
            return
        }
        var children: [String] = []
        while let item = readdir(listing) {
            let name = withUnsafePointer(to: item.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            guard name != ".", name != ".." else { continue }
            var isDirectory = item.pointee.d_type == UInt8(DT_DIR)
            if item.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = Glibc.stat()
                isDirectory = fstatat(dirfd(listing), name, &info, AT_SYMLINK_NOFOLLOW) == 0 && info.st_mode & 0o170000 == 0o040000
            }
            if isDirectory { children.append(name) }
        }
        closedir(listing)
        for child in children {
            try addTree(path.isEmpty ? child : path + "/" + child)
        }
    }

    /// Watches the directory a descriptor names; its watch descriptor.
    private mutating func add(_ fd: Int32, path: String) throws(DriverError) -> Int32 {
        guard paths.count < WatchDirectoryPayload.maximumDirectories else {
            throw DriverError(
                "A watch follows at most \(WatchDirectoryPayload.maximumDirectories) directories; watch a smaller directory, or without recursive.",
                kind: .tooLarge
            )
        }
        let watch = inotify_add_watch(inotify, "/proc/self/fd/\(fd)", Self.watched)
        guard watch >= 0 else {
            if errno == ENOSPC {
                throw DriverError("This host allows no more directory watches (fs.inotify.max_user_watches); try again later.", kind: .conflict)
            }
            throw DriverError("Could not watch \(path.isEmpty ? "the directory" : path): \(String(cString: strerror(errno))).")
        }
        paths[watch] = path
        return watch
    }

    private mutating func removeTree(_ path: String) {
        for (watch, watched) in paths where watched == path || watched.hasPrefix(path + "/") {
            inotify_rm_watch(inotify, watch)
            paths[watch] = nil
        }
    }
}
