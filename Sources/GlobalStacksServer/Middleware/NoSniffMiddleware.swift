import HTTPTypes
import Hummingbird

/// `X-Content-Type-Options: nosniff` on every answer: a sandbox file downloaded through the API, or any other body,
/// is only ever what its content type says (never run as a script of this origin).
struct NoSniffMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        return response
    }
}
