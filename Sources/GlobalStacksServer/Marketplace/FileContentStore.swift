import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases

/// Files named by digest under one directory, written to a temporary name and renamed, so a reader never sees part
/// of a file and two replicas writing the same content end with the same bytes.
struct FileContentStore: ContentStore {
    let directory: URL

    func put(_ bytes: Data, digest: ContentDigest) async throws {
        let target = path(digest)
        if FileManager.default.fileExists(atPath: target.path) { return }
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(digest.hex).\(UUID().uuidString)")
        try bytes.write(to: temporary)
        guard rename(temporary.path, target.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw DomainError.unavailable("Could not store the content (errno \(errno)); try again.")
        }
    }

    func putFile(_ file: URL, digest: ContentDigest) async throws {
        let target = path(digest)
        if FileManager.default.fileExists(atPath: target.path) {
            try? FileManager.default.removeItem(at: file)
            return
        }
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        // A rename publishes the file whole; from another file system it is copied beside the target first.
        if rename(file.path, target.path) != 0 {
            let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(digest.hex).\(UUID().uuidString)")
            do {
                try FileManager.default.copyItem(at: file, to: temporary)
                try? FileManager.default.removeItem(at: file)
            } catch {
                throw DomainError.unavailable("Could not store the content (\(error.localizedDescription)); try again.")
            }
            guard rename(temporary.path, target.path) == 0 else {
                try? FileManager.default.removeItem(at: temporary)
                throw DomainError.unavailable("Could not store the content (errno \(errno)); try again.")
            }
        }
    }

    func file(_ digest: ContentDigest) async throws -> URL? {
        let target = path(digest)
        return FileManager.default.fileExists(atPath: target.path) ? target : nil
    }

    func get(_ digest: ContentDigest) async throws -> Data? {
        let target = path(digest)
        guard FileManager.default.fileExists(atPath: target.path) else { return nil }
        return try Data(contentsOf: target)
    }

    private func path(_ digest: ContentDigest) -> URL {
        directory.appendingPathComponent(String(digest.hex.prefix(2))).appendingPathComponent(digest.hex)
    }
}
