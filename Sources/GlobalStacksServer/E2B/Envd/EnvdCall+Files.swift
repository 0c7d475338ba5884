import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import HTTPTypes
import Hummingbird
import NIOCore

/// envd's `/files`: a file's bytes, and uploads (a multipart form whose part `file` is named by its path, or the raw
/// bytes), streamed through to the agent like the v1 API's.
extension EnvdCall {
    func download() async throws -> Response {
        let path = try EnvdPath(request.uri.queryParameters["path"].map(String.init))
        let bytes = try await workspace.download(path.relative, of: sandbox, caller: caller)
        return Response(
            status: .ok, headers: [.contentType: "application/octet-stream"],
            body: ResponseBody { writer in
                for try await chunk in bytes { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            }
        )
    }

    /// One file per request: the `path` query names it, or else the multipart part's file name.
    func upload() async throws -> Response {
        let query = request.uri.queryParameters["path"].map(String.init)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let entry: FileEntry
        let path: EnvdPath
        if contentType.hasPrefix("multipart/form-data") {
            let form = try await MultipartUpload.begin(request)
            guard form.sentFileName != nil else { throw DomainError.invalidInput("The form has no part named 'file' with a filename; nothing was written.") }
            guard let target = query ?? form.sentFileName else {
                throw DomainError.invalidInput("Name the file: a 'path' query parameter, or the file part's filename.")
            }
            path = try EnvdPath(target)
            try await makeParentDirectories(of: path.relative)
            entry = try await workspace.upload(path.relative, expectedBytes: nil, from: form.fileBytes, of: sandbox, caller: caller)
        } else {
            guard let query else { throw DomainError.invalidInput("Name the file with a 'path' query parameter.") }
            guard request.headers[.contentEncoding].map({ $0.lowercased() == "identity" }) ?? true else {
                throw DomainError.invalidInput("Send the file uncompressed (no Content-Encoding).")
            }
            path = try EnvdPath(query)
            try await makeParentDirectories(of: path.relative)
            let length = request.headers[.contentLength].flatMap(Int64.init)
            entry = try await workspace.upload(path.relative, expectedBytes: length, from: request.body.map { ArraySlice($0.readableBytesView) }, of: sandbox, caller: caller)
        }
        return try E2BController.json([WrittenFile(name: entry.name, type: "file", path: path.absolute(entry.path))])
    }

    struct WrittenFile: Encodable {
        let name: String
        let type: String
        let path: String
    }
}
