import Crypto
import Foundation
import GlobalStacksDomain
import GlobalStacksStore

extension TemplateService {
    /// Stores an uploaded build context by its digest (bytes streamed to a file, never held whole), for a build's
    /// `COPY` steps: at most `TemplateLimits.contextBytes`.
    public func uploadContext<Bytes: AsyncSequence>(_ bytes: Bytes, caller: Caller) async throws -> (ContentDigest, Int64)
    where Bytes.Element == ArraySlice<UInt8> {
        let scope = try caller.activeTenant()
        try caller.require(.buildTemplates)
        let kept = try await store.uploadedBytes(kind: .buildContext, scope)
        let room = min(TemplateLimits.contextBytes, TemplateLimits.contextBytesPerTenant - kept)
        guard room > 0 else {
            throw DomainError.forbidden("The tenant keeps \(ByteQuantity(bytes: kept)) of build contexts, the most it may; contexts are kept for the builds that name them.")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-context-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: file.path, contents: nil), let handle = try? FileHandle(forWritingTo: file) else {
            throw DomainError.unavailable("Could not write the upload to a temporary file; try again.")
        }
        var hasher = SHA256()
        var size: Int64 = 0
        do {
            defer { try? handle.close() }
            for try await chunk in bytes {
                size += Int64(chunk.count)
                guard size <= room else {
                    throw DomainError.tooLarge(
                        "A build context may be at most \(ByteQuantity(bytes: room)) (\(ByteQuantity(bytes: TemplateLimits.contextBytes)) each, \(ByteQuantity(bytes: TemplateLimits.contextBytesPerTenant)) a tenant); leave out what COPY does not need."
                    )
                }
                hasher.update(data: chunk)
                try handle.write(contentsOf: chunk)
            }
        } catch {
            try? FileManager.default.removeItem(at: file)
            throw error
        }
        guard size > 0 else {
            try? FileManager.default.removeItem(at: file)
            throw DomainError.invalidInput("The build context is empty; send a tar archive.")
        }
        let digest = ContentDigest(hasher.finalize())
        try await content.putFile(file, digest: digest)
        try await store.recordContent(digest, kind: .buildContext, byteCount: Int(size), scope, by: caller.user.id, at: Date())
        return (digest, size)
    }
}
