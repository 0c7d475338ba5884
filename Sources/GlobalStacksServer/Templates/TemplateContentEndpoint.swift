import Crypto
import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Hummingbird
import NIOCore

/// Where agents move templates' bytes, with the grants their commands carried (`Authorization: Bearer gsg_…`); not
/// part of the public API, and no person's credential opens it:
/// - `GET /v1/agent-content/{digest}`: a template's archive (or a build's context), streamed from its file;
/// - `PUT /v1/agent-content/uploads/{buildId}`: the archive a build or snapshot made, streamed to a file while its
///   SHA-256 is computed, stored by that digest, kept with the build (once, while it runs) and answered
///   `{"digest", "sizeBytes"}`; at most what the tenant's template storage has left (and `TemplateLimits.archiveBytes`).
struct TemplateContentEndpoint {
    let grants: ArtifactGrants
    let content: any ContentStore
    let uploads: any TemplateUploads
    /// Where uploads are written before they are checked (the data directory: the store renames them in).
    let incoming: URL

    static let prefix = "/v1/agent-content/"
    static let uploadPrefix = prefix + "uploads/"

    static func archivePath(_ digest: ContentDigest) -> String { String(prefix.dropFirst()) + digest.rawValue }
    static func uploadPath(_ build: TemplateBuildID) -> String { String(uploadPrefix.dropFirst()) + build.rawValue }

    func addRoutes(to router: Router<AppRequestContext>) {
        let fileIO = FileIO()
        router.get("/v1/agent-content/:digest") { request, context -> Response in
            let digest = try? ContentDigest.parse(context.parameters.get("digest") ?? "", field: "digest")
            guard let digest, grants.permits(Self.token(request), digest: digest, for: .template, at: Date()) else {
                throw DomainError.unauthenticated("Template content is fetched with the credential its command sent to the agent, before it expires.")
            }
            if let file = try await content.file(digest) {
                return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: try await fileIO.loadFile(path: file.path, context: context))
            }
            guard let bytes = try await content.get(digest) else { throw DomainError.notFound("No content \(digest) is stored here.") }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.put("/v1/agent-content/uploads/:buildId") { request, context -> Response in
            guard let build = TemplateBuildID(path: context.parameters.get("buildId") ?? ""), grants.permitsUpload(Self.token(request), build: build, at: Date()) else {
                throw DomainError.unauthenticated("A template archive is uploaded with the credential its build sent to the agent, before it expires.")
            }
            let allowance = try await uploads.templateUploadAllowance(build: build)
            let (digest, size) = try await receive(request.body, limit: allowance)
            try await uploads.recordTemplateUpload(build: build, digest: digest, sizeBytes: size)
            let json = #"{"digest":"\#(digest.rawValue)","sizeBytes":\#(size)}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
    }

    private func receive(_ body: RequestBody, limit: Int64) async throws -> (ContentDigest, Int64) {
        try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
        let file = incoming.appendingPathComponent(UUID().uuidString)
        guard FileManager.default.createFile(atPath: file.path, contents: nil), let handle = try? FileHandle(forWritingTo: file) else {
            throw DomainError.unavailable("Could not write the upload to \(incoming.path); try again.")
        }
        var hasher = SHA256()
        var size: Int64 = 0
        do {
            defer { try? handle.close() }
            for try await buffer in body {
                size += Int64(buffer.readableBytes)
                guard size <= limit else {
                    throw DomainError.tooLarge(
                        "The archive is larger than the \(ByteQuantity(bytes: limit)) its tenant's template storage has left (at most \(ByteQuantity(bytes: TemplateLimits.archiveBytes)) each)."
                    )
                }
                buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                try buffer.withUnsafeReadableBytes { try handle.write(contentsOf: $0) }
            }
        } catch {
            try? FileManager.default.removeItem(at: file)
            throw error
        }
        let digest = ContentDigest(hasher.finalize())
        try await content.putFile(file, digest: digest)
        return (digest, size)
    }

    private static func token(_ request: Request) -> String {
        BearerToken.parse(request.headers[.authorization]) ?? ""
    }
}
