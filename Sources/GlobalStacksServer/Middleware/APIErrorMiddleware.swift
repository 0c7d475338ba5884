import Foundation
import GlobalStacksDomain
import HTTPTypes
import Logging
import OpenAPIRuntime

/// Turns what the generated API handlers throw into `{"message": …}` responses:
/// domain refusals keep their status, malformed or unexpected input is a 400, and only real faults are a 500.
/// Also treats an empty request body as an absent one.
struct APIErrorMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            // An empty body is no body: operations whose body is optional (a start with no options) accept it.
            // (HTTP/1.1: a request with neither Content-Length nor Transfer-Encoding has no body.)
            let length = request.headerFields[.contentLength]
            let body = length == "0" || (length == nil && request.headerFields[.transferEncoding] == nil) ? nil : body
            return try await next(request, body, metadata)
        } catch {
            let response = Self.errorResponse(for: error, operationID: operationID)
            var headers = response.headers
            headers[.contentType] = "application/json; charset=utf-8"
            return (HTTPResponse(status: response.status, headerFields: headers), HTTPBody(response.jsonBody))
        }
    }

    static func errorResponse(for error: any Error, operationID: String) -> ErrorResponse {
        let underlying = (error as? ServerError)?.underlyingError ?? error
        if let domainError = underlying as? DomainError {
            return ErrorResponse(domainError)
        }
        if let decodingError = underlying as? DecodingError {
            return ErrorResponse(status: .badRequest, message: "Invalid request body: \(describe(decodingError))")
        }
        if let serverError = error as? ServerError, (400..<500).contains(serverError.httpStatus.code) {
            return ErrorResponse(status: serverError.httpStatus, message: "Invalid request: \(serverError.causeDescription).")
        }
        let logger = RequestEnvironment.current?.logger ?? Logger(label: "gstacks.api")
        logger.error("Request failed", metadata: ["operation": "\(operationID)", "error": "\(String(reflecting: underlying))"])
        return ErrorResponse(status: .internalServerError, message: "Internal server error; the server log has details.")
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let joined = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "the body" : "'\(joined)'"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing required field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'."
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) must be of type \(type)."
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) must be a \(type), not null."
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "the body could not be read."
        }
    }
}
