import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// Signing in to the console (a password, or an OIDC device code when providers are configured) and out. The
/// session is the API's: the same cookie, the same `IdentityService`.
extension ConsoleController {
    static let deviceLoginCookieName = "globalstacks_device_login"

    func addSignInRoutes(to console: RouterGroup<AppRequestContext>) {
        console.get("sign-in") { request, _ in try await signInPage(request) }
        console.post("sign-in") { request, context in try await signIn(request, context: context) }
        console.post("sign-in/device") { request, context in try await beginDeviceSignIn(request, context: context) }
        console.post("sign-in/device/complete") { request, context in try await completeDeviceSignIn(request, context: context) }
        console.post("sign-out") { request, _ in try await signOut(request) }
    }

    func signInPage(_ request: Request) async throws -> Response {
        let next = ShellNavigation.safeConsolePath(request.uri.queryParameters["next"].map(String.init))
        if (try? await ConsoleVisitor.optional(request, authenticator: authenticator)) != nil {
            return ConsoleResponse.redirect(to: next ?? ConsolePaths.workspaceHome)
        }
        return signInForm(next: next, email: nil, message: nil, status: .ok)
    }

    func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await ConsoleForm.read(request)
        try checkSignInForgery(request, form: form)
        let next = ShellNavigation.safeConsolePath(form["next"])
        do {
            let session = try await useCases.identity.signIn(
                loginName: form["email"] ?? "", password: form.raw("password") ?? "", anonymousRequest(context)
            )
            return signedIn(session, next: next)
        } catch let error as DomainError {
            switch error.kind {
            case .unauthenticated, .invalidInput: return signInForm(next: next, email: form["email"], message: error.message, status: .unauthorized)
            default: throw error
            }
        }
    }

    func beginDeviceSignIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await ConsoleForm.read(request)
        try checkSignInForgery(request, form: form)
        let provider = form["provider"] ?? ""
        let (token, login) = try await useCases.deviceLogins.begin(provider: provider, anonymousRequest(context))
        var response = deviceForm(login, next: ShellNavigation.safeConsolePath(form["next"]), message: nil)
        response.setCookie(Cookie(
            name: Self.deviceLoginCookieName, value: token, expires: login.expiresAt, path: "/admin/sign-in", secure: secureCookies, httpOnly: true, sameSite: .strict
        ))
        return response
    }

    func completeDeviceSignIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await ConsoleForm.read(request)
        try checkSignInForgery(request, form: form)
        let next = ShellNavigation.safeConsolePath(form["next"])
        guard let token = request.cookies[Self.deviceLoginCookieName]?.value else {
            return signInForm(next: next, email: nil, message: "That sign-in is over; start again.", status: .unauthorized)
        }
        let login = try await useCases.deviceLogins.poll(token: token, anonymousRequest(context))
        switch login.status {
        case .pending:
            return deviceForm(login, next: next, message: "Not approved yet: approve the code at the provider, then continue.")
        case .denied, .expired:
            return signInForm(next: next, email: nil, message: login.message ?? "That sign-in was \(login.status.rawValue); start again.", status: .unauthorized)
        case .approved:
            let session = try await useCases.deviceLogins.signIn(token: token, provider: login.provider, anonymousRequest(context))
            var response = signedIn(session, next: next)
            response.setCookie(Cookie(name: Self.deviceLoginCookieName, value: "", maxAge: 0, path: "/admin/sign-in", secure: secureCookies, httpOnly: true, sameSite: .strict))
            return response
        }
    }

    func signOut(_ request: Request) async throws -> Response {
        let visitor = try await requireVisitor(request)
        let form = try await ConsoleForm.read(request)
        try visitor.checkForgery(request, formToken: form.csrfToken)
        try await useCases.identity.signOut(caller: visitor.caller)
        var response = ConsoleResponse.redirect(to: ConsolePaths.signIn)
        response.setCookie(SessionCookie.cleared(secure: secureCookies))
        return response
    }

    // MARK: pieces

    private func signedIn(_ session: NewSession, next: String?) -> Response {
        var response = ConsoleResponse.redirect(to: next ?? ConsolePaths.workspaceHome)
        response.setCookie(SessionCookie.set(session.token, maxAge: Int(sessionLifetime), secure: secureCookies))
        return response
    }

    /// The sign-in form with a fresh double-submit token (there is no session to derive one from yet).
    private func signInForm(next: String?, email: String?, message: String?, status: HTTPResponse.Status) -> Response {
        let token = ConsoleCSRF.randomToken()
        var response = ConsoleResponse.page(renderer.render("sign-in", SignInPage(
            csrf: token, next: next ?? "", email: email ?? "", message: message,
            providers: deviceSignInProviders.map { SignInPage.Provider(name: $0) }, hasProviders: !deviceSignInProviders.isEmpty
        )), status: status)
        response.setCookie(Cookie(name: ConsoleCSRF.signInCookieName, value: token, path: "/admin/sign-in", secure: secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    private func deviceForm(_ login: DeviceLogin, next: String?, message: String?) -> Response {
        let token = ConsoleCSRF.randomToken()
        var response = ConsoleResponse.page(renderer.render("device-sign-in", DeviceSignInPage(
            csrf: token, next: next ?? "", provider: login.provider, userCode: login.userCode, verificationURI: login.verificationURI,
            expiresAt: login.expiresAt.formatted(.iso8601), message: message
        )))
        response.setCookie(Cookie(name: ConsoleCSRF.signInCookieName, value: token, path: "/admin/sign-in", secure: secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    private func checkSignInForgery(_ request: Request, form: ConsoleForm) throws {
        guard !ConsoleCSRF.isCrossOrigin(request), let cookie = request.cookies[ConsoleCSRF.signInCookieName]?.value,
              ConsoleCSRF.matches(form.csrfToken, cookie)
        else {
            throw DomainError.forbidden("This sign-in form has expired or did not come from this console; reload the page and sign in again.")
        }
    }

    private func anonymousRequest(_ context: AppRequestContext) -> AnonymousRequest {
        AnonymousRequest(clientAddress: context.remoteAddress?.ipAddress ?? "unknown", logger: context.logger)
    }
}

struct SignInPage {
    struct Provider { let name: String }
    let title = "Sign in"
    let csrf: String
    let next: String
    let email: String
    let message: String?
    let providers: [Provider]
    let hasProviders: Bool
}

struct DeviceSignInPage {
    let title = "Sign in"
    let csrf: String
    let next: String
    let provider: String
    let userCode: String
    let verificationURI: String
    let expiresAt: String
    let message: String?
}
