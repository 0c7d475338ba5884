import Foundation
import GlobalStacksDomain
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The contract's error body, `{"message": …}`, for every failure the server answers.
struct ErrorResponse: Sendable {
    let status: HTTPResponse.Status
    let message: String
    var headers: HTTPFields = [:]

    var jsonBody: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(["message": message])) ?? Data(#"{"message":"error"}"#.utf8)
    }

    init(status: HTTPResponse.Status, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    init(_ error: DomainError) {
        switch error.kind {
        case .invalidInput: self.init(status: .badRequest, message: error.message)
        case .unauthenticated: self.init(status: .unauthorized, message: error.message)
        case .forbidden: self.init(status: .forbidden, message: error.message)
        case .notFound: self.init(status: .notFound, message: error.message)
        case .conflict: self.init(status: .conflict, message: error.message)
        case .tooLarge: self.init(status: .contentTooLarge, message: error.message)
        case .unavailable: self.init(status: .serviceUnavailable, message: error.message)
        case .upstreamFailed: self.init(status: .badGateway, message: error.message)
        case .tooManyRequests(let seconds):
            self.init(status: .tooManyRequests, message: error.message, headers: [.retryAfter: String(seconds)])
        }
    }
}

/// Renders errors that escape the routes (unknown paths, oversized bodies, anything unexpected) as `{"message": …}`.
struct ErrorResponseMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DomainError {
            return response(ErrorResponse(error))
        } catch let error as any HTTPResponseError {
            let message: String = switch error.status {
            case .notFound: "No route for \(request.method) \(request.uri.path)."
            case .contentTooLarge: "The request body is too large."
            case .methodNotAllowed: "\(request.method) is not allowed on \(request.uri.path)."
            default: (error as? HTTPError)?.body ?? error.status.reasonPhrase
            }
            return response(ErrorResponse(status: error.status, message: message))
        } catch {
            context.logger.error("Unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return response(ErrorResponse(status: .internalServerError, message: "Internal server error; the server log has details."))
        }
    }

    private func response(_ error: ErrorResponse) -> Response {
        var headers = error.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: error.jsonBody)))
    }
}

/// Rejects bodies over the limit with 413 before any handler reads them. File uploads into sandboxes are streamed
/// through to the agent instead, and extension content is read under its kind's limit, each under their own limit.
struct BodySizeLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Sandbox files, extension content, build contexts and agents' template uploads: each streamed under its own limit.
        if request.method == .put, Self.isFileUpload(request.uri.path) || request.uri.path.hasPrefix("/v1/extension-content/")
            || request.uri.path == "/v1/template-contexts" || request.uri.path.hasPrefix(TemplateContentEndpoint.uploadPrefix) {
            return try await next(request, context)
        }
        if request.method == .post, Self.isConsoleFileUpload(request.uri.path) {
            return try await next(request, context)
        }
        // envd's uploads and input streams, and requests to sandbox ports: each reads its body under its own limit.
        if request.uri.path.hasPrefix(EnvdEndpoint.pathPrefix + "/") || SandboxPath(request.uri.path)?.rest.first == "ports" {
            return try await next(request, context)
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw HTTPError(.contentTooLarge)
        }
        var request = request
        _ = try await request.collectBody(upTo: maxBytes)
        return try await next(request, context)
    }
}

extension BodySizeLimitMiddleware {
    /// `PUT /v1/sandboxes/{id}/files/content`.
    static func isFileUpload(_ path: String) -> Bool {
        SandboxPath(path)?.rest == ["files", "content"]
    }

    /// `POST /admin/t/{external_id}/sandboxes/{id}/files`: the console's upload form, streamed the same way.
    static func isConsoleFileUpload(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 7 && parts[0].isEmpty && parts[1] == "admin" && parts[2] == "t" && parts[4] == "sandboxes" && parts[6] == "files"
    }
}
