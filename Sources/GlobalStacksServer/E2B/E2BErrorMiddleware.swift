import Foundation
import GlobalStacksDomain
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// E2B's error body, `{"code": <status>, "message": …}`, on every failure of the E2B-compatible control plane: its
/// SDK reads both before it looks at the status. `Should-Retry: false` keeps the SDK from retrying a 503 that a
/// retry would not mend.
struct E2BErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DomainError {
            return Self.response(ErrorResponse(error))
        } catch let error as any HTTPResponseError {
            let message = error.status == .contentTooLarge ? "The request body is too large." : error.status.reasonPhrase
            return Self.response(ErrorResponse(status: error.status, message: message))
        } catch {
            context.logger.error("Unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return Self.response(ErrorResponse(status: .internalServerError, message: "Internal server error; the server log has details."))
        }
    }

    static func response(_ error: ErrorResponse) -> Response {
        var headers = error.headers
        headers[.contentType] = "application/json"
        if error.status == .serviceUnavailable { headers[HTTPField.Name("Should-Retry")!] = "false" }
        let body = (try? JSONEncoder().encode(E2B.Failure(code: error.status.code, message: error.message))) ?? Data()
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
