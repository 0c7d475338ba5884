import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// OIDC device-code sign-in (additions, docs/oidc.md): the providers, beginning a sign-in, and polling it. It is
/// finished by `createSession` with the `oidc_device_code` strategy.
extension AuthHandler {
    func listSignInProviders(_ input: Operations.ListSignInProviders.Input) async throws -> Operations.ListSignInProviders.Output {
        .ok(.init(body: .json(.init(items: deviceLogins.order.map { .init(name: $0.name, displayName: $0.displayName, strategy: .oidcDeviceCode) }))))
    }

    func beginDeviceLogin(_ input: Operations.BeginDeviceLogin.Input) async throws -> Operations.BeginDeviceLogin.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let (token, login) = try await deviceLogins.begin(provider: request.provider, try anonymousRequest())
        return .created(.init(body: .json(.init(
            token: token, provider: login.provider, userCode: login.userCode, verificationUri: login.verificationURI,
            verificationUriComplete: login.verificationURIComplete, expiresAt: login.expiresAt, interval: login.interval
        ))))
    }

    func pollDeviceLogin(_ input: Operations.PollDeviceLogin.Input) async throws -> Operations.PollDeviceLogin.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let login = try await deviceLogins.poll(token: request.token, try anonymousRequest())
        return .ok(.init(body: .json(.init(status: .init(rawValue: login.status.rawValue)!, interval: login.interval, message: login.message))))
    }
}
