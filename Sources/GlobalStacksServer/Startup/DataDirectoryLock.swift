import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a data directory (`flock` on its `gstacks.lock`), held until the process ends, so that a second
/// server on the same directory refuses to start instead of taking over the first one's sandboxes and agent. The file
/// holds the pid of the server that has it; the kernel releases the lock when that process ends, however it ends.
public final class DataDirectoryLock: Sendable {
    static let fileName = "gstacks.lock"

    private let descriptor: Int32

    /// Locks the data directory when this configuration keeps state there that one server must own: the SQLite
    /// database, or the embedded agent's key and sandboxes. Replicas on PostgreSQL without one share nothing there that
    /// needs a single owner. Nil when nothing needs locking.
    public static func acquire(for configuration: ServerConfiguration) throws -> DataDirectoryLock? {
        if case .postgres = configuration.database, configuration.embeddedAgentDirectory == nil { return nil }
        return try DataDirectoryLock(directory: configuration.dataDirectory)
    }

    init(directory: String) throws {
        let directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        let path = URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName).path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StartupRefusal("Cannot create the data directory \(directory): \(error.localizedDescription)")
        }
        // Close-on-exec: a process the server starts must not keep the lock after the server ends.
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StartupRefusal("Cannot open \(path) to lock the data directory: \(String(cString: strerror(errno))).")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            let pid = holder.flatMap(Int32.init).map { " (pid \($0))" } ?? ""
            throw StartupRefusal(
                "The data directory \(directory) is in use by another gstacks server\(pid); stop it, or give this one another --data-dir."
            )
        }
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 { _ = pid.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}
