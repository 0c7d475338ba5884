import Foundation
import GlobalStacksDomain
import Hummingbird
import Logging

/// Console failures as a person or a script can act on them: the contract's `{"message": …}` to JSON clients, a page
/// to browsers (a sign-in redirect when the session is missing or over), 422 for a form the route cannot take.
struct ConsoleErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let renderer: ConsoleRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as UnprocessableForm {
            return answer(request, ErrorResponse(status: .unprocessableContent, message: error.message))
        } catch let error as DomainError {
            if case .unauthenticated = error.kind, !ConsoleResponse.wantsJSON(request) {
                return ConsoleResponse.redirect(to: ConsolePaths.signIn(returningTo: request.uri.description))
            }
            return answer(request, ErrorResponse(error))
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return answer(request, ErrorResponse(status: .contentTooLarge, message: "The form is too large."))
        }
    }

    private func answer(_ request: Request, _ error: ErrorResponse) -> Response {
        if ConsoleResponse.wantsJSON(request) {
            var headers = error.headers
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: error.status, headers: headers, body: .init(byteBuffer: .init(bytes: error.jsonBody)))
        }
        let page = ProblemPage(title: error.status.reasonPhrase, heading: error.status.reasonPhrase, message: error.message)
        return ConsoleResponse.page(renderer.render("problem-bare", page), status: error.status)
    }
}

/// An error page outside the signed-in frame.
struct ProblemPage {
    let title: String
    let heading: String
    let message: String
    var back = ConsolePaths.workspaceHome
    var backLabel = "Back to the console"
}
