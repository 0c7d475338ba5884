import Foundation
#if canImport(Glibc)
// `stat`'s members: with the client's modules in the graph, Swift finds the struct through CoreFoundation's copy of
// the system headers, and member visibility then wants that module imported too.
import CoreFoundation
import Glibc
#endif

/// How much disk a sandbox's directory holds. The walk goes through directory descriptors (no path grows long
/// enough to fail), follows no links, counts a file with several links once, and charges every entry at least one
/// 4 KiB block, so a flood of empty files is not free. It stops as soon as the total passes the limit. Files the
/// sandbox deleted but still holds open are not seen: this is a periodic check, not a filesystem quota.
enum DiskUsage {
    enum Measure: Equatable {
        case within(bytes: Int64)
        case over(atLeast: Int64)
        /// Part of the directory could not be read (e.g. a subdirectory the sandbox made unreadable).
        case unmeasurable(String)
    }

    static let minimumCharge: Int64 = 4_096
    static let maximumDepth = 128

    static func measure(_ directory: URL, limit: Int64) -> Measure {
        let root = open(directory.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard root >= 0 else { return .unmeasurable("its directory could not be opened (errno \(errno))") }
        var walk = Walk(limit: limit)
        if let problem = walk.visit(root, depth: 0) { return .unmeasurable(problem) }
        return walk.total > limit ? .over(atLeast: walk.total) : .within(bytes: walk.total)
    }

    /// Several directories together (a sandbox's workspace and its writable layer), against one limit.
    static func measure(_ directories: [URL], limit: Int64) -> Measure {
        var total: Int64 = 0
        for directory in directories {
            switch measure(directory, limit: limit - total) {
            case .within(let bytes): total += bytes
            case .over(let bytes): return .over(atLeast: total + bytes)
            case .unmeasurable(let problem): return .unmeasurable(problem)
            }
        }
        return .within(bytes: total)
    }

    private struct Walk {
        let limit: Int64
        var total: Int64 = 0
        /// Device and inode of files with more than one link, counted already.
        var linked = Set<[UInt64]>()

        /// Adds what the directory open as `descriptor` holds, and closes it; a problem when part cannot be read.
        mutating func visit(_ descriptor: Int32, depth: Int) -> String? {
            guard let stream = fdopendir(descriptor) else {
                close(descriptor)
                return "a directory could not be read (errno \(errno))"
            }
            defer { closedir(stream) }
            while total <= limit, let entry = readdir(stream) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { String(cString: $0) }
                }
                if name == "." || name == ".." { continue }
                var info = Glibc.stat()
                guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                    if errno == ENOENT { continue }  // removed while the walk went by
                    return "'\(name.prefix(64))' could not be examined (errno \(errno))"
                }
                let isDirectory = info.st_mode & S_IFMT == S_IFDIR
                if !isDirectory, info.st_nlink > 1, !linked.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted { continue }
                total += max(Int64(info.st_blocks) * 512, DiskUsage.minimumCharge)
                guard isDirectory else { continue }
                guard depth < DiskUsage.maximumDepth else { return "its directories nest deeper than \(DiskUsage.maximumDepth) levels" }
                let child = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else {
                    if errno == ENOENT { continue }
                    return "directory '\(name.prefix(64))' could not be opened (errno \(errno))"
                }
                if let problem = visit(child, depth: depth + 1) { return problem }
            }
            return nil
        }
    }
}
