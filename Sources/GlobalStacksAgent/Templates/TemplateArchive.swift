import Crypto
import Foundation
import GlobalStacksAgentProtocol

/// A template's archive: its root as a tar archive (numeric owners, as the files are on disk) compressed with zstd,
/// named by the SHA-256 of the compressed bytes. Packing hashes the bytes as they are written; unpacking runs on the
/// host as the agent (root), since a root holds device files and owners a user namespace could not make, into a
/// directory the caller moves into place only once it is whole. GNU tar refuses members that would land outside it
/// (`..`, absolute names, through links it made).
enum TemplateArchive {
    /// `tar` writing a tree (or several `-C directory names…` parts) to its stdout; `prefix` runs it (e.g. in the
    /// mount namespace of an overlay).
    static func tarArgv(_ parts: [String]) -> [String] {
        ["/bin/tar", "--numeric-owner", "--xattrs", "--xattrs-include=security.capability", "-cf", "-"] + parts
    }

    /// Runs `producer` (a tar archive on its stdout) into `zstd`, writing the compressed bytes to `file`; returns
    /// their SHA-256 (hex) and size.
    static func pack(_ producer: [String], to file: URL) async throws -> (hex: String, size: Int64) {
        let tarOut = try ExecProcess.pipe()
        let zstdOut: (read: Int32, write: Int32)
        do { zstdOut = try ExecProcess.pipe() } catch {
            close(tarOut.read)
            close(tarOut.write)
            throw error
        }
        let output = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard output >= 0 else {
            for fd in [tarOut.read, tarOut.write, zstdOut.read, zstdOut.write] { close(fd) }
            throw DriverError("Could not write the archive \(file.path): \(String(cString: strerror(errno))).")
        }
        let written = hashing(zstdOut.read, into: output)
        let statuses = try await runPair(
            producer, ["/usr/bin/zstd", "-q", "-1", "-T2"], pipe: tarOut, consumerOutput: zstdOut.write
        )
        let (hex, size, failure) = await written.value
        if let failure { throw DriverError("Writing the archive \(file.path) failed: \(failure).") }
        guard statuses.producer.status == 0 else { throw DriverError("tar could not archive the template's files: \(statuses.producer.errors)") }
        guard statuses.consumer.status == 0 else { throw DriverError("zstd could not compress the template's archive: \(statuses.consumer.errors)") }
        return (hex, size)
    }

    /// Unpacks `file` (a zstd-compressed tar archive) into the existing empty directory `tree`.
    static func unpack(_ file: URL, into tree: URL) async throws {
        let pipe = try ExecProcess.pipe()
        let statuses = try await runPair(
            ["/usr/bin/zstd", "-q", "-dc", "--", file.path], ["/bin/tar", "--numeric-owner", "--xattrs", "--xattrs-include=security.capability", "-xpf", "-", "-C", tree.path],
            pipe: pipe, consumerOutput: nil
        )
        guard statuses.producer.status == 0 else { throw DriverError("The template's archive is not zstd-compressed: \(statuses.producer.errors)", kind: .invalidInput) }
        guard statuses.consumer.status == 0 else { throw DriverError("The template's archive could not be unpacked: \(statuses.consumer.errors)", kind: .invalidInput) }
    }

    /// The SHA-256 (hex) of a file's bytes, read on a thread of its own.
    static func digest(of file: URL) async -> String? {
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)
        let (hex, _, failure) = await hashing(fd, into: devNull).value
        return failure == nil ? hex : nil
    }

    typealias Ended = (status: Int32, errors: String)

    /// `producer | consumer`, both run to their end (both killed when the task is cancelled); the consumer's stdout
    /// goes to `consumerOutput` (closed here) or /dev/null.
    private static func runPair(
        _ producer: [String], _ consumer: [String], pipe: (read: Int32, write: Int32), consumerOutput: Int32?
    ) async throws -> (producer: Ended, consumer: Ended) {
        let producerErrors = try ExecProcess.pipe()
        let consumerErrors = try ExecProcess.pipe()
        var started: [pid_t] = []
        var failure: (any Error)?
        do {
            started.append(try ProcessSpawn.spawn(producer, standard: [
                (0, .path("/dev/null", flags: O_RDONLY)), (1, .descriptor(pipe.write)), (2, .descriptor(producerErrors.write)),
            ]))
            started.append(try ProcessSpawn.spawn(consumer, standard: [
                (0, .descriptor(pipe.read)), (1, consumerOutput.map { .descriptor($0) } ?? .path("/dev/null", flags: O_WRONLY)),
                (2, .descriptor(consumerErrors.write)),
            ]))
        } catch {
            failure = error
        }
        // The children hold their ends now: end of file reaches each reader when its writer ends.
        for fd in [pipe.read, pipe.write, producerErrors.write, consumerErrors.write, consumerOutput ?? -1] where fd >= 0 { close(fd) }
        if let failure {
            for pid in started { kill(-pid, SIGKILL) }
            for pid in started { _ = await wait(pid) }
            close(producerErrors.read)
            close(consumerErrors.read)
            throw failure
        }
        let errorTexts = [PipeReader.start(producerErrors.read, limit: 2_048, keepTail: true), PipeReader.start(consumerErrors.read, limit: 2_048, keepTail: true)]
        let pids = started
        let statuses = await withTaskCancellationHandler {
            [await wait(pids[0]), await wait(pids[1])]
        } onCancel: {
            for pid in pids { kill(-pid, SIGKILL) }
        }
        try Task.checkCancellation()
        var texts: [String] = []
        for text in errorTexts { texts.append(String(decoding: await text.value.bytes, as: UTF8.self)) }
        return ((statuses[0], texts[0]), (statuses[1], texts[1]))
    }

    /// Waits for a process on a thread of its own; its status in the shell's convention.
    static func wait(_ pid: pid_t) async -> Int32 {
        let status = await withCheckedContinuation { continuation in
            ProcessSpawn.wait(for: pid) { continuation.resume(returning: $0) }
        }
        return ProcessSpawn.exitCode(status).map(Int32.init) ?? 128 + (ProcessSpawn.terminatingSignal(status) ?? 0)
    }

    /// Copies a descriptor to its end into `output`, hashing what passes, on a thread of its own; closes both.
    private static func hashing(_ input: Int32, into output: Int32) -> Task<(String, Int64, String?), Never> {
        Task {
            await withCheckedContinuation { continuation in
                let copier = Thread {
                    var hash = SHA256()
                    var total: Int64 = 0
                    var failure: String?
                    var buffer = [UInt8](repeating: 0, count: 1 << 20)
                    copying: while true {
                        let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                        if count < 0 && errno == EINTR { continue }
                        if count < 0 { failure = String(cString: strerror(errno)); break }
                        if count == 0 { break }
                        hash.update(data: buffer[0..<count])
                        total += Int64(count)
                        var offset = 0
                        while offset < count {
                            let written = buffer.withUnsafeBytes { Glibc.write(output, $0.baseAddress! + offset, count - offset) }
                            if written < 0 && errno == EINTR { continue }
                            if written <= 0 { failure = String(cString: strerror(errno)); break copying }
                            offset += written
                        }
                    }
                    close(input)
                    if close(output) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
                    let hex = hash.finalize().map { String(format: "%02x", $0) }.joined()
                    continuation.resume(returning: (hex, total, failure))
                }
                copier.stackSize = 128 << 10
                copier.start()
            }
        }
    }
}
