import CGlobalStacksSystem
import Foundation
#if canImport(Glibc)
// `stat`'s members (see DiskUsage).
import CoreFoundation
import Glibc
#endif
import GlobalStacksAgentProtocol
import GlobalStacksDomain

/// A sandbox's workspace as the agent reaches it on the host. Every path is resolved by the kernel beneath the
/// workspace directory (openat2 with RESOLVE_BENEATH): `..` above it, an absolute path, or a symlink leading out is
/// refused by the system call itself, also when a process in the sandbox swaps a directory for a symlink at the
/// same moment. Changes act on the final name through a descriptor of its parent (`mkdirat`, `renameat`,
/// `unlinkat`), so the final name is never followed. Paths are relative to the workspace; `/workspace/…` (the
/// sandbox's own view) is accepted too.
struct WorkspaceFiles: Sendable {
    let root: URL

    static let maximumPathBytes = 4_096
    static let pathOnly = gstacks_o_path()

    /// The path relative to the workspace ("." for the workspace itself).
    static func relative(_ path: String) throws(DriverError) -> String {
        guard path.utf8.count <= maximumPathBytes, !path.utf8.contains(0) else {
            throw DriverError("A path is at most \(maximumPathBytes) bytes and holds no NUL byte.", kind: .invalidInput)
        }
        var relative = path
        if relative == "/workspace" || relative.hasPrefix("/workspace/") { relative.removeFirst("/workspace".count) }
        while relative.hasPrefix("/") && path.hasPrefix("/workspace") { relative.removeFirst() }
        return relative.isEmpty ? "." : relative
    }

    func stat(_ path: String) throws(DriverError) -> FileEntry {
        let (parent, name) = try openParent(path)
        defer { close(parent) }
        return try Self.entry(parent: parent, name: name, path: Self.relative(path))
    }

    func list(_ path: String) throws(DriverError) -> DirectoryListing {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        guard let directory = fdopendir(fd) else {
            close(fd)
            throw Self.failure(errno, path)
        }
        defer { closedir(directory) }
        let base = try Self.relative(path)
        var names: [String] = []
        while let item = readdir(directory) {
            let name = withUnsafePointer(to: item.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { names.append(name) }
        }
        names.sort()
        var truncated = names.count > DirectoryListing.maximumEntries
        var entries: [FileEntry] = []
        // Also bounded by size, so that the answer fits in one message to the control plane (long names).
        var bytes = 0
        for name in names.prefix(DirectoryListing.maximumEntries) {
            bytes += 2 * name.utf8.count + base.utf8.count + 160
            if bytes > DirectoryListing.maximumBytes {
                truncated = true
                break
            }
            // An entry removed between readdir and its stat is left out.
            if let entry = try? Self.entry(parent: dirfd(directory), name: name, path: base == "." ? name : "\(base)/\(name)") {
                entries.append(entry)
            }
        }
        return DirectoryListing(entries: entries, truncated: truncated)
    }

    func makeDirectory(_ path: String) throws(DriverError) -> FileEntry {
        let (parent, name) = try openParent(path)
        defer { close(parent) }
        guard mkdirat(parent, name, 0o755) == 0 else { throw Self.failure(errno, path) }
        return try Self.entry(parent: parent, name: name, path: Self.relative(path))
    }

    func move(from: String, to: String) throws(DriverError) -> FileEntry {
        let (source, sourceName) = try openParent(from)
        defer { close(source) }
        let (target, targetName) = try openParent(to)
        defer { close(target) }
        guard renameat(source, sourceName, target, targetName) == 0 else { throw Self.failure(errno, "\(from) → \(to)") }
        return try Self.entry(parent: target, name: targetName, path: Self.relative(to))
    }

    func delete(_ path: String, recursive: Bool) throws(DriverError) {
        let (parent, name) = try openParent(path)
        defer { close(parent) }
        guard name != "." else { throw DriverError("The workspace itself cannot be deleted; delete what is in it.", kind: .invalidInput) }
        var info = Glibc.stat()
        guard fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { throw Self.failure(errno, path) }
        if info.st_mode & 0o170000 == 0o040000 {
            if recursive { try Self.empty(directory: parent, name: name, path: path, depth: 0) }
            guard unlinkat(parent, name, AT_REMOVEDIR) == 0 else {
                throw errno == ENOTEMPTY ? DriverError("\(path) is a directory that is not empty; delete it with recursive=true.", kind: .conflict) : Self.failure(errno, path)
            }
        } else {
            guard unlinkat(parent, name, 0) == 0 else { throw Self.failure(errno, path) }
        }
    }

    /// A regular file opened for reading, and its size.
    func openForReading(_ path: String) throws(DriverError) -> (fd: Int32, size: Int64) {
        // Non-blocking: opening a FIFO the sandbox put there must not wait for a writer.
        let fd = try open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY)
        var info = Glibc.stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw Self.failure(code, path)
        }
        guard info.st_mode & 0o170000 == 0o100000 else {
            close(fd)
            throw DriverError("\(path) is not a regular file.", kind: .conflict)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return (fd, Int64(info.st_size))
    }

    /// A directory of the workspace as a descriptor that only names it (O_PATH), for watching it.
    func openDirectory(_ path: String) throws(DriverError) -> Int32 {
        try open(path, Self.pathOnly | O_DIRECTORY)
    }

    /// A new file beside the target, renamed over it only when every byte is written: a refused or broken write
    /// leaves nothing behind.
    func beginWrite(_ path: String) throws(DriverError) -> PendingWrite {
        let (parent, name) = try openParent(path)
        guard name != "." else {
            close(parent)
            throw DriverError("Name the file to write, not the workspace.", kind: .invalidInput)
        }
        let temporary = ".gstacks-upload-\(UUID().uuidString.lowercased())"
        let fd = openat(parent, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let code = errno
            close(parent)
            throw Self.failure(code, path)
        }
        return PendingWrite(parent: parent, temporary: temporary, name: name, path: (try? Self.relative(path)) ?? path, fd: fd)
    }

    struct PendingWrite: Sendable {
        let parent: Int32
        let temporary: String
        let name: String
        let path: String
        let fd: Int32

        func write(_ bytes: [UInt8]) throws(DriverError) {
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw WorkspaceFiles.failure(errno, path)
                }
                offset += written
            }
        }

        func commit() throws(DriverError) -> FileEntry {
            defer { close(parent) }
            guard close(fd) == 0 else {
                let code = errno
                unlinkat(parent, temporary, 0)
                throw WorkspaceFiles.failure(code, path)
            }
            guard renameat(parent, temporary, parent, name) == 0 else {
                let code = errno
                unlinkat(parent, temporary, 0)
                throw WorkspaceFiles.failure(code, path)
            }
            return try WorkspaceFiles.entry(parent: parent, name: name, path: path)
        }

        func abandon() {
            close(fd)
            unlinkat(parent, temporary, 0)
            close(parent)
        }
    }

    // MARK: Resolution

    private func open(_ path: String, _ flags: Int32) throws(DriverError) -> Int32 {
        let relative = try Self.relative(path)
        let workspace = try openWorkspace()
        defer { close(workspace) }
        let fd = gstacks_open_beneath(workspace, relative, flags | O_CLOEXEC, 0)
        guard fd >= 0 else { throw Self.failure(errno, path) }
        return fd
    }

    /// The parent directory of the path's last name (resolved beneath the workspace), and that name.
    private func openParent(_ path: String) throws(DriverError) -> (Int32, String) {
        let relative = try Self.relative(path)
        var components = relative.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if relative.hasPrefix("/") {
            // Absolute: the kernel refuses it below, with the same words as any other escape.
            _ = try open(relative, Self.pathOnly | O_DIRECTORY)
        }
        while components.last == "." { components.removeLast() }
        guard let name = components.popLast() else {
            return (try open(".", Self.pathOnly | O_DIRECTORY), ".")
        }
        guard name != ".." else { throw DriverError("\(path) does not name a file beneath the workspace.", kind: .invalidInput) }
        let parent = try open(components.isEmpty ? "." : components.joined(separator: "/"), Self.pathOnly | O_DIRECTORY)
        return (parent, name)
    }

    private func openWorkspace() throws(DriverError) -> Int32 {
        let fd = Glibc.open(root.path, Self.pathOnly | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw DriverError("This sandbox's workspace is gone from the agent's host.", kind: .conflict) }
        return fd
    }

    private static func entry(parent: Int32, name: String, path: String) throws(DriverError) -> FileEntry {
        var info = Glibc.stat()
        guard fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { throw failure(errno, path) }
        let kind: FileEntry.Kind = switch info.st_mode & 0o170000 {
        case 0o100000: .file
        case 0o040000: .directory
        case 0o120000: .symlink
        default: .other
        }
        let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        return FileEntry(name: name == "." ? "workspace" : name, path: path, kind: kind, size: Int64(info.st_size), mode: Int(info.st_mode & 0o7777), modifiedAt: modified)
    }

    /// Removes everything inside a directory, never following a symlink; at most 64 levels deep.
    private static func empty(directory parent: Int32, name: String, path: String, depth: Int) throws(DriverError) {
        guard depth < 64 else { throw DriverError("\(path) is nested more than 64 levels deep; delete its inner directories first.", kind: .conflict) }
        let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0, let directory = fdopendir(fd) else {
            let code = errno
            throw failure(code, path)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let item = readdir(directory) {
            let child = withUnsafePointer(to: item.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if child != "." && child != ".." { names.append(child) }
        }
        for child in names {
            var info = Glibc.stat()
            guard fstatat(fd, child, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if info.st_mode & 0o170000 == 0o040000 {
                try empty(directory: fd, name: child, path: "\(path)/\(child)", depth: depth + 1)
                guard unlinkat(fd, child, AT_REMOVEDIR) == 0 || errno == ENOENT else { throw failure(errno, "\(path)/\(child)") }
            } else {
                guard unlinkat(fd, child, 0) == 0 || errno == ENOENT else { throw failure(errno, "\(path)/\(child)") }
            }
        }
    }

    static func failure(_ code: Int32, _ path: String) -> DriverError {
        switch code {
        case ENOENT: DriverError("\(path): no such file or directory in the workspace.", kind: .notFound)
        case EXDEV, ELOOP: DriverError("\(path) leads outside the sandbox's workspace (through .., an absolute path or a symlink); paths stay beneath it.", kind: .invalidInput)
        case ENOTDIR: DriverError("\(path): a part of the path is not a directory.", kind: .invalidInput)
        case EEXIST: DriverError("\(path) already exists.", kind: .conflict)
        case EISDIR: DriverError("\(path) is a directory.", kind: .conflict)
        case ENOTEMPTY: DriverError("\(path) is a directory that is not empty.", kind: .conflict)
        case ENAMETOOLONG: DriverError("\(path): a name in the path is too long.", kind: .invalidInput)
        case EACCES, EPERM, EROFS: DriverError("\(path): permission denied.", kind: .conflict)
        case ENOSPC, EDQUOT, EFBIG: DriverError("\(path): no space left for the sandbox's files.", kind: .tooLarge)
        case EINVAL: DriverError("\(path): that change is not possible (e.g. moving a directory into itself).", kind: .invalidInput)
        default: DriverError("\(path): \(String(cString: strerror(code))).")
        }
    }
}
