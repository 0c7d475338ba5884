import Foundation
import GlobalStacksDomain
import Hummingbird
import MultipartKit
import NIOCore

/// An upload form (`multipart/form-data`: the console's, the E2B SDK's `files.write`), read as it arrives: the small
/// fields before the file part (the console's CSRF token, which is checked before any byte of the file goes anywhere),
/// then the file's bytes as a sequence that reads the request on only as the agent takes them. The console's form puts
/// its fields before the file input, and browsers send parts in the form's order.
final class MultipartUpload: @unchecked Sendable {
    // Unchecked: the parser and the body's iterator are used by one task at a time, first by `begin`, then by the
    // one iteration of `fileBytes` (like a request body, it can be read once).
    static let maximumFieldBytes = 16 << 10

    private(set) var fields: [String: String] = [:]
    /// The file part's name as sent, reduced to a safe last path component; nil when no file was chosen.
    private(set) var fileName: String?
    /// The file part's name exactly as sent (the E2B SDK sends the file's whole path there).
    private(set) var sentFileName: String?

    private var body: RequestBody.AsyncIterator
    private let parser: MultipartParser
    private var part: (name: String?, fileName: String?) = (nil, nil)
    private var fieldValue: [UInt8] = []
    private var fieldBytes = 0
    private var inFile = false
    private var fileEnded = false
    private var pending: [ArraySlice<UInt8>] = []

    private init(body: RequestBody, boundary: String) {
        self.body = body.makeAsyncIterator()
        self.parser = MultipartParser(boundary: boundary)
        parser.onHeader = { [unowned self] name, value in header(name, value) }
        parser.onBody = { [unowned self] buffer in bodyBytes(&buffer) }
        parser.onPartComplete = { [unowned self] in partComplete() }
    }

    /// Reads the request up to its file part (422 when it is not a multipart form with one).
    static func begin(_ request: Request) async throws -> MultipartUpload {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundary = boundary(contentType)
        else {
            throw DomainError.invalidInput("Send the upload as multipart/form-data with a part named 'file'.")
        }
        let upload = MultipartUpload(body: request.body, boundary: boundary)
        // Every byte before the file part counts (field names, part headers and boundaries too), read in pieces of at
        // most the limit, so a form of endless names or headers is refused before the parser holds much of it.
        var before = 0
        while !upload.inFile && !upload.fileEnded {
            guard var chunk = try await upload.body.next() else { break }
            while chunk.readableBytes > 0 && !upload.inFile {
                let piece = chunk.readSlice(length: min(chunk.readableBytes, maximumFieldBytes))!
                before += piece.readableBytes
                guard before <= maximumFieldBytes * 4 else { throw DomainError.tooLarge("The upload form's fields are too large.") }
                try upload.parser.execute(piece)
            }
            if chunk.readableBytes > 0 { try upload.parser.execute(chunk) }
            guard upload.fieldBytes <= maximumFieldBytes else { throw DomainError.tooLarge("The upload form's fields are too large.") }
        }
        return upload
    }

    /// The file's bytes; ends with the file part (an error when the request ends before it).
    var fileBytes: FileBytes { FileBytes(upload: self) }

    struct FileBytes: AsyncSequence, Sendable {
        typealias Element = ArraySlice<UInt8>
        let upload: MultipartUpload

        struct AsyncIterator: AsyncIteratorProtocol {
            let upload: MultipartUpload
            mutating func next() async throws -> ArraySlice<UInt8>? { try await upload.nextFileBytes() }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(upload: upload) }
    }

    private func nextFileBytes() async throws -> ArraySlice<UInt8>? {
        while true {
            if !pending.isEmpty { return pending.removeFirst() }
            if fileEnded || !inFile { return nil }
            guard let chunk = try await body.next() else {
                throw DomainError.invalidInput("The upload ended before the end of its file; nothing was written.")
            }
            try parser.execute(chunk)
        }
    }

    // MARK: the parser's events

    private func header(_ name: String, _ value: String) {
        guard name.lowercased() == "content-disposition" else { return }
        part = (Self.parameter("name", in: value), Self.parameter("filename", in: value))
        if part.name == "file", !inFile, !fileEnded, let sent = part.fileName, let safe = Self.safeName(sent) {
            fileName = safe
            sentFileName = sent
            inFile = true
        }
    }

    private func bodyBytes(_ buffer: inout ByteBuffer) {
        if inFile && !fileEnded {
            pending.append(ArraySlice(buffer.readableBytesView))
        } else if !inFile {
            fieldBytes += buffer.readableBytes
            if fieldBytes <= Self.maximumFieldBytes { fieldValue += buffer.readableBytesView }
        }
        buffer.moveReaderIndex(to: buffer.writerIndex)
    }

    private func partComplete() {
        if inFile {
            fileEnded = true
        } else if let name = part.name {
            fields[name] = String(decoding: fieldValue, as: UTF8.self)
        }
        fieldValue = []
        part = (nil, nil)
    }

    // MARK: headers

    static func boundary(_ contentType: String) -> String? {
        guard let value = parameter("boundary", in: contentType), !value.isEmpty, value.count <= 70 else { return nil }
        return value
    }

    /// A parameter of a header value (`name="file"`), quoted or not.
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return nil
    }

    /// The last component of a sent file name (some browsers send a whole path), nil for none or one that names
    /// no file ("", ".", "..").
    static func safeName(_ sent: String) -> String? {
        let last = sent.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        guard !last.isEmpty, last != ".", last != "..", !last.utf8.contains(0), last.utf8.count <= 255 else { return nil }
        return last
    }
}
