import Foundation
#if canImport(Glibc)
// `stat`'s members (see DiskUsage): the module Swift finds the struct through depends on what else is loaded.
import CoreFoundation
import CDispatch
import Glibc
#endif

/// The last lines of a sandbox's output file, for the reason a failed sandbox reports (its `lastError`). The file is
/// the sandbox's to write: it may have been replaced by a symlink to a host file or by a FIFO, so it is opened without
/// following links or blocking, and read only when it is a regular file.
enum OutputTail {
    static let maximumLines = 10
    static let maximumBytes = 1_000

    static func read(_ file: URL) -> String {
        let fd = open(file.path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return "" }
        let start = max(0, Int64(status.st_size) - Int64(maximumBytes))
        var buffer = [UInt8](repeating: 0, count: maximumBytes)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(start)) }
        guard count > 0 else { return "" }
        return tail(of: Array(buffer[..<count]), cut: start > 0)
    }

    /// The last lines of `bytes`, without a partial first line when `cut` (the read began mid-file), with control
    /// characters other than newline and tab shown as `?`.
    static func tail(of bytes: [UInt8], cut: Bool) -> String {
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        if cut, lines.count > 1 { lines.removeFirst() }
        let text = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        let last = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(maximumLines).joined(separator: "\n")
        let control = CharacterSet.controlCharacters.subtracting(CharacterSet(charactersIn: "\n\t"))
        return String(String.UnicodeScalarView(last.unicodeScalars.map { control.contains($0) ? "?" : $0 }))
    }
}
