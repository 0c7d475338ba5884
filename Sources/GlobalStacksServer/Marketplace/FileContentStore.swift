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

    func get(_ digest: ContentDigest) async throws -> Data? {
        let target = path(digest)
        guard FileManager.default.fileExists(atPath: target.path) else { return nil }
        return try Data(contentsOf: target)
    }

    private func path(_ digest: ContentDigest) -> URL {
        directory.appendingPathComponent(String(digest.hex.prefix(2))).appendingPathComponent(digest.hex)
    }
}
