import Foundation
import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// Sessions, the first start, sign-up, user accounts and API keys: maps the contract's input to `IdentityService` and
/// `DeviceLoginService` and their results back. The session cookie is this edge's: set from the token a sign-in
/// returns, cleared on sign-out.
struct AuthHandler {
    let identity: IdentityService
    let deviceLogins: DeviceLoginService
    let secureCookies: Bool
    let sessionAbsoluteLifetime: TimeInterval

    func getSession(_ input: Operations.GetSession.Input, caller: Caller) async throws -> Operations.GetSession.Output {
        .ok(.init(body: .json(APIMapping.session(caller.principal))))
    }

    func createSession(_ input: Operations.CreateSession.Input) async throws -> Operations.CreateSession.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let session: NewSession
        switch request.strategy {
        case .oidcDeviceCode:
            session = try await deviceLogins.signIn(token: request.password, provider: request.provider, try anonymousRequest())
        case .password:
            guard let loginName = request.loginName, let password = request.password else {
                throw DomainError.invalidInput("The password strategy needs 'loginName' (your email) and 'password'.")
            }
            session = try await identity.signIn(loginName: loginName, password: password, try anonymousRequest())
        }
        try RequestEnvironment.required.responseCookies.set(SessionCookie.set(session.token, maxAge: Int(sessionAbsoluteLifetime), secure: secureCookies))
        return .ok(.init(body: .json(.init(
            authenticated: true, sessionId: session.credential.id.rawValue, tenantId: nil, user: APIMapping.userSummary(session.user)
        ))))
    }

    func deleteSession(_ input: Operations.DeleteSession.Input, caller: Caller) async throws -> Operations.DeleteSession.Output {
        try await identity.signOut(caller: caller)
        try RequestEnvironment.required.responseCookies.set(SessionCookie.cleared(secure: secureCookies))
        return .noContent(.init())
    }

    /// What an anonymous operation's service needs of the request.
    func anonymousRequest() throws -> AnonymousRequest {
        let environment = try RequestEnvironment.required
        return AnonymousRequest(clientAddress: environment.clientAddress, logger: environment.logger)
    }
}
