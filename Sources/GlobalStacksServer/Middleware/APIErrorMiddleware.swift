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
        // An empty body is no body: operations whose body is optional (a start with no options) accept it.
        // (HTTP/1.1: a request with neither Content-Length nor Transfer-Encoding has no body.)
        let length = request.headerFields[.contentLength]
        let body = length == "0" || (length == nil && request.headerFields[.transferEncoding] == nil) ? nil : body
        do {
            return try await next(request, body, metadata)
        } catch {
            // Without a body, what failed to decode can only be a parameter.
            let response = Self.errorResponse(for: error, operationID: operationID, parameters: body == nil ? request.path : nil)
            var headers = response.headers
            headers[.contentType] = "application/json; charset=utf-8"
            return (HTTPResponse(status: response.status, headerFields: headers), HTTPBody(response.jsonBody))
        }
    }

    /// `parameters`: the path and query of a request without a body, whose parameters were all that could fail to decode.
    static func errorResponse(for error: any Error, operationID: String, parameters: String? = nil) -> ErrorResponse {
        let underlying = (error as? ServerError)?.underlyingError ?? error
        if let domainError = underlying as? DomainError {
            return ErrorResponse(domainError)
        }
        if let decodingError = underlying as? DecodingError {
            // The runtime decodes a parameter at the root (no coding path) and does not say which one failed.
            if let parameters {
                return ErrorResponse(status: .badRequest, message: "Invalid request: \(describe(decodingError, root: parameterNames(parameters)))")
            }
            return ErrorResponse(status: .badRequest, message: "Invalid request body: \(describe(decodingError))")
        }
        if let serverError = error as? ServerError, (400..<500).contains(serverError.httpStatus.code) {
            return ErrorResponse(status: serverError.httpStatus, message: "Invalid request: \(serverError.causeDescription).")
        }
        let logger = RequestEnvironment.current?.logger ?? Logger(label: "gstacks.api")
        logger.error("Request failed", metadata: ["operation": "\(operationID)", "error": "\(String(reflecting: underlying))"])
        return ErrorResponse(status: .internalServerError, message: "Internal server error; the server log has details.")
    }

    /// What a parameter that failed to decode may be: the query's names, or the path's.
    private static func parameterNames(_ pathAndQuery: String) -> String {
        guard let query = pathAndQuery.split(separator: "?", maxSplits: 1).dropFirst().first else { return "a path parameter" }
        let names = query.split(separator: "&").map { String($0.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0].prefix(64)) }
        return names.count == 1 ? "'\(names[0])'" : "one of the parameters \(names.prefix(10).joined(separator: ", "))"
    }

    private static func describe(_ error: DecodingError, root: String = "the body") -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let joined = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? root : "'\(joined)'"
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
