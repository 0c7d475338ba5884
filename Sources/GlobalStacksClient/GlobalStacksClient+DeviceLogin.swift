import Foundation
import GlobalStacksContract

extension GlobalStacksClient {
    public typealias SignInProvider = Components.Schemas.SignInProvider
    public typealias DeviceLoginStart = Components.Schemas.DeviceLoginStart
    public typealias DeviceLoginStatus = Components.Schemas.DeviceLoginStatus

    /// The identity providers the server signs people in with (OIDC device code).
    public func signInProviders() async throws -> [SignInProvider] {
        try await call { try await client.listSignInProviders().ok.body.json.items }
    }

    /// Begins a device-code sign-in: the code to show, where to enter it, and the token to finish with.
    public func beginDeviceLogin(provider: String) async throws -> DeviceLoginStart {
        try await call { try await client.beginDeviceLogin(body: .json(.init(provider: provider))).created.body.json }
    }

    public func pollDeviceLogin(token: String) async throws -> DeviceLoginStatus {
        try await call { try await client.pollDeviceLogin(body: .json(.init(token: token))).ok.body.json }
    }

    /// Finishes an approved device-code sign-in; returns a client signed in with the new session.
    public func finishDeviceLogin(provider: String, token: String) async throws -> (GlobalStacksClient, Session) {
        let capture = SessionCookieCapture()
        let anonymous = GlobalStacksClient(serverURL: serverURL, credential: .none, timeout: timeout, extraMiddlewares: [capture])
        let session = try await anonymous.call {
            try await anonymous.client.createSession(body: .json(.init(strategy: .oidcDeviceCode, password: token, provider: provider))).ok.body.json
        }
        guard let cookie = capture.value else {
            throw GlobalStacksClientError(status: 200, message: "The server signed you in but set no session cookie.")
        }
        return (with(.session(cookie)), session)
    }
}
