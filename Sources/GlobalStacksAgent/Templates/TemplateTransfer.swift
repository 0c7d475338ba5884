import AsyncHTTPClient
import Crypto
import Foundation
import GlobalStacksAgentProtocol
import NIOCore
import NIOHTTP1

/// Moves templates' archives between this agent and the control plane with the grants the control plane gave:
/// fetching streams to a file (never whole in memory) and checks the SHA-256 against the digest before anyone uses
/// the bytes; uploading streams the file and checks that the control plane computed the same digest.
struct TemplateTransfer: Sendable {
    /// The largest archive fetched or sent.
    static let maximumArchiveBytes: Int64 = 8 << 30

    let serverURL: URL

    /// The control plane's address of a grant's path (relative to the server URL, keeping its own prefix).
    func url(_ path: String) -> String {
        serverURL.appendingPathComponent(String(path.drop { $0 == "/" })).absoluteString
    }

    /// `sha256:<hex>` to its 64 lowercase hex digits, or a refusal.
    static func hex(_ digest: String) throws(DriverError) -> String {
        guard let hex = ArtifactCache.hex(of: digest) else { throw DriverError("A template's digest must be sha256:<64 lowercase hex digits>, not \(digest).", kind: .invalidInput) }
        return hex
    }

    /// Fetches `artifact` into `file` and checks its digest.
    func download(_ artifact: TemplateArtifact, to file: URL) async throws {
        let hex = try Self.hex(artifact.digest)
        guard artifact.sizeBytes <= Self.maximumArchiveBytes else {
            throw DriverError("The template's archive (\(artifact.sizeBytes) bytes) is larger than this agent takes (\(Self.maximumArchiveBytes)).", kind: .tooLarge)
        }
        var request = HTTPClientRequest(url: url(artifact.path))
        request.headers.add(name: "Authorization", value: "Bearer \(artifact.token)")
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .hours(1))
        } catch {
            throw DriverError("Fetching the archive from the control plane failed: \(error)")
        }
        guard response.status == .ok else { throw DriverError("The control plane refused the archive (HTTP \(response.status.code)).") }
        guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: file.path)
        else { throw DriverError("Could not write the archive to \(file.path).") }
        defer { try? handle.close() }
        var hash = SHA256()
        var total: Int64 = 0
        for try await chunk in response.body {
            total += Int64(chunk.readableBytes)
            guard total <= Self.maximumArchiveBytes else {
                throw DriverError("The archive is larger than \(Self.maximumArchiveBytes) bytes.", kind: .tooLarge)
            }
            let bytes = Data(chunk.readableBytesView)
            hash.update(data: bytes)
            try handle.write(contentsOf: bytes)
        }
        let actual = hash.finalize().map { String(format: "%02x", $0) }.joined()
        guard actual == hex else {
            throw DriverError("The archive's bytes hash to sha256:\(actual), not sha256:\(hex) as the control plane said; it was not used.", kind: .conflict)
        }
    }

    /// What the control plane answers an upload.
    private struct Received: Decodable {
        let digest: String
        let sizeBytes: Int64
    }

    /// Sends `file` (whose SHA-256 is `hex`) to the upload's path.
    func upload(_ file: URL, hex: String, size: Int64, to upload: TemplateUpload) async throws -> TemplateBuildResult.Archive {
        guard size <= Self.maximumArchiveBytes else {
            throw DriverError("The template's archive (\(size) bytes) is larger than the control plane takes (\(Self.maximumArchiveBytes)).", kind: .tooLarge)
        }
        guard let handle = FileHandle(forReadingAtPath: file.path) else { throw DriverError("Could not read the archive \(file.path).") }
        defer { try? handle.close() }
        var request = HTTPClientRequest(url: url(upload.path))
        request.method = .PUT
        request.headers.add(name: "Authorization", value: "Bearer \(upload.token)")
        request.headers.add(name: "Content-Type", value: "application/zstd")
        request.body = .stream(FileChunks(handle: handle), length: .known(size))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .hours(1))
        } catch {
            throw DriverError("Sending the archive to the control plane failed: \(error)")
        }
        let body = try await response.body.collect(upTo: 64 << 10)
        guard response.status.code / 100 == 2 else {
            throw DriverError("The control plane refused the archive (HTTP \(response.status.code)): \(String(buffer: body).prefix(500))")
        }
        guard let received = try? JSONDecoder().decode(Received.self, from: Data(body.readableBytesView)) else {
            throw DriverError("The control plane's answer to the upload is not {\"digest\", \"sizeBytes\"}: \(String(buffer: body).prefix(500))")
        }
        guard received.digest == "sha256:\(hex)", received.sizeBytes == size else {
            throw DriverError("The control plane received \(received.digest) (\(received.sizeBytes) bytes), not the archive sent (sha256:\(hex), \(size) bytes).", kind: .conflict)
        }
        return .init(digest: received.digest, sizeBytes: size)
    }

    /// A file's bytes in chunks, read as the upload asks for them.
    private struct FileChunks: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let handle: FileHandle

        struct AsyncIterator: AsyncIteratorProtocol {
            let handle: FileHandle
            mutating func next() async throws -> ByteBuffer? {
                guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
                return ByteBuffer(bytes: data)
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: handle) }
    }
}

extension TemplateBuildResult {
    /// The archive the control plane received.
    struct Archive: Sendable {
        let digest: String
        let sizeBytes: Int64
    }
}
