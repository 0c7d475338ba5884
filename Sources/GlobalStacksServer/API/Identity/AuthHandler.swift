import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Hummingbird
import Logging

/// Sessions, the first start, sign-up, user accounts and API keys.
struct AuthHandler {
    let store: any RequestStore
    let authenticator: Authenticator
    let anonymous: AnonymousAccess
    let issuer: CredentialIssuer
    let passwords: PasswordHasher
    let throttle: LoginThrottle
    let secureCookies: Bool
    let sessionAbsoluteLifetime: TimeInterval
    let allowSignUp: Bool
    /// OIDC device-code sign-in, when providers are configured.
    let deviceLogins: DeviceLoginFlow

    func getSession(_ input: Operations.GetSession.Input) async throws -> Operations.GetSession.Output {
        .ok(.init(body: .json(APIMapping.session(try authenticator.principal()))))
    }

    func createSession(_ input: Operations.CreateSession.Input) async throws -> Operations.CreateSession.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        switch request.strategy {
        case .oidcDeviceCode:
            guard !deviceLogins.order.isEmpty else {
                throw DomainError.invalidInput("OIDC device-code sign-in is not configured on this server; use the password strategy.")
            }
            guard let provider = request.provider, let token = request.password else {
                throw DomainError.invalidInput("The oidc_device_code strategy needs 'provider' and, in 'password', the token POST /v1/auth/device-logins returned.")
            }
            let environment = try RequestEnvironment.required
            let user = try await deviceLogins.complete(token: token, provider: provider, at: Date())
            return try await signIn(user, environment, how: "oidc:\(provider)")
        case .password:
            guard let loginName = request.loginName, let password = request.password else {
                throw DomainError.invalidInput("The password strategy needs 'loginName' (your email) and 'password'.")
            }
            let email = try Validation.email(loginName, field: "loginName")
            let environment = try RequestEnvironment.required
            let now = Date()
            try throttle.beginAttempt(account: email.canonical, address: environment.clientAddress, at: now)
            let account = try await anonymous.accountForSignIn(email: email)
            guard try await passwords.verify(password, against: account?.passwordHash), let user = account?.user, user.isActive else {
                environment.logger.notice("Sign-in refused", metadata: ["client": "\(environment.clientAddress)"])
                // Before setup no password can be right: say what to do instead (POST /v1/setup already tells anyone).
                guard try await anonymous.isSetUp else {
                    throw DomainError.unauthenticated("This server has no users yet; create the first site admin with the setup token it printed (POST /v1/setup).")
                }
                throw DomainError.unauthenticated("Email or password is incorrect.")
            }
            throttle.succeeded(account: email.canonical)
            return try await signIn(user, environment, how: "password")
        }
    }

    /// A new session for `user`, in the cookie.
    private func signIn(_ user: User, _ environment: RequestEnvironment, how: String) async throws -> Operations.CreateSession.Output {
        let (credential, token) = try await issuer.issueSession(for: user, at: Date())
        environment.responseCookies.set(sessionCookie(value: token, maxAge: Int(sessionAbsoluteLifetime)))
        environment.logger.info("Signed in", metadata: ["user": "\(user.id)", "session": "\(credential.id)", "with": "\(how)"])
        return .ok(.init(body: .json(.init(
            authenticated: true, sessionId: credential.id.rawValue, tenantId: nil, user: APIMapping.userSummary(user)
        ))))
    }

    func deleteSession(_ input: Operations.DeleteSession.Input) async throws -> Operations.DeleteSession.Output {
        let principal = try authenticator.principal()
        guard principal.credential.kind == .session else {
            throw DomainError.invalidInput("This request is authenticated with an API key; revoke it with DELETE /v1/api-keys/{apiKeyId}.")
        }
        _ = try await store.revokeCredential(id: principal.credential.id, kind: .session, AccessPolicy.accountScope(principal), at: Date())
        try RequestEnvironment.required.responseCookies.set(sessionCookie(value: "", maxAge: 0))
        return .noContent(.init())
    }

    private func sessionCookie(value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: RequestEnvironmentMiddleware.sessionCookieName, value: value, maxAge: maxAge, path: "/",
            secure: secureCookies, httpOnly: true, sameSite: .lax
        )
    }
}
