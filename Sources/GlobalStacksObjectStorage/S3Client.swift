import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small S3 client: buckets and objects over path-style URLs (`<endpoint>/<bucket>/<key>`, which every
/// S3-compatible server answers), each request signed with AWS Signature Version 4, over AsyncHTTPClient.
/// What S3 refuses is thrown as `S3Error` with S3's code and message. docs/object-storage.md.
public struct S3Client: Sendable {
    public let endpoint: URL
    public let region: String
    let signer: S3Signer
    let httpClient: HTTPClient
    public var timeout: TimeAmount = .seconds(60)
    /// The most a response body may hold (an object read whole).
    public var maximumResponseBytes = 1 << 30

    /// `endpoint` is the server's origin, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`.
    public init(endpoint: URL, region: String = "us-east-1", credentials: S3Credentials, httpClient: HTTPClient = .shared) throws {
        guard let scheme = endpoint.scheme, ["http", "https"].contains(scheme), endpoint.host != nil,
              endpoint.query == nil, ["", "/"].contains(endpoint.path)
        else {
            throw S3Error(status: 0, code: "InvalidEndpoint", message: "The endpoint must be an http(s) origin without a path: \(endpoint)")
        }
        self.endpoint = endpoint
        self.region = region
        self.signer = S3Signer(credentials: credentials, region: region)
        self.httpClient = httpClient
    }

    struct Response {
        let status: Int
        let headers: HTTPHeaders
        let body: Data

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends one signed request; any answer comes back, failures to reach the endpoint throw `S3Error.unreachable`, an
    /// answer that cannot be read whole `IncompleteBody`.
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Data = Data(), contentType: String? = nil
    ) async throws -> Response {
        let host = endpoint.host! + (endpoint.port.map { ":\($0)" } ?? "")
        var url = endpoint.absoluteString.trimmingSuffix("/") + path
        if !query.isEmpty { url += "?" + S3Signer.canonicalQuery(query) }
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in signer.headers(method: method.rawValue, host: host, path: path, query: query, payload: body, at: Date()) {
            request.headers.add(name: name, value: value)
        }
        if let contentType { request.headers.add(name: "content-type", value: contentType) }
        if method == .PUT || method == .POST || !body.isEmpty {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: timeout)
        } catch {
            throw S3Error.unreachable("\(method) \(endpoint): \(error)")
        }
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: maximumResponseBytes)
        } catch {
            throw S3Error(status: Int(response.status.code), code: "IncompleteBody", message: "The answer could not be read whole (at most \(maximumResponseBytes) bytes): \(error)")
        }
        return Response(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    /// The answer when it is a success, `S3Error` otherwise.
    func require(_ response: Response) throws -> Response {
        guard (200..<300).contains(response.status) else { throw S3Error.from(status: response.status, body: response.text) }
        return response
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
