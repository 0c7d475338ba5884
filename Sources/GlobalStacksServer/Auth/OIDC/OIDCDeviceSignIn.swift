import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases

/// `DeviceSignInProvider` over HTTP: one provider's client, and the server's sealer, so the provider's device code
/// is stored sealed and never leaves the server.
struct OIDCDeviceSignIn: DeviceSignInProvider {
    let provider: OIDCProvider
    private let client: OIDCProviderClient
    private let sealer: SecretSealer

    init(_ provider: OIDCProvider, sealer: SecretSealer) throws {
        self.provider = provider
        self.client = try OIDCProviderClient(provider)
        self.sealer = sealer
    }

    func authorize() async throws -> DeviceAuthorization {
        let answer = try await client.deviceAuthorization()
        return DeviceAuthorization(
            userCode: answer.userCode, verificationURI: answer.verificationUri, verificationURIComplete: answer.verificationUriComplete,
            expiresIn: answer.expiresIn, interval: answer.interval,
            sealedDeviceCode: try sealer.seal(["deviceCode": .string(answer.deviceCode)]) ?? ""
        )
    }

    func token(sealedDeviceCode: String) async throws -> DeviceTokenAnswer {
        guard case .string(let deviceCode)? = try sealer.open(sealedDeviceCode)["deviceCode"] else {
            throw DomainError.unavailable("This device sign-in cannot be read with this server's secret key; start again.")
        }
        return switch try await client.token(deviceCode: deviceCode) {
        case .tokens(let idToken, let accessToken): .tokens(idToken: idToken, accessToken: accessToken)
        case .refused(let error, let description): .refused(error: error, description: description)
        }
    }

    func identity(idToken: String) async throws -> ProviderIdentity {
        let claims = try await client.verify(idToken: idToken)
        return ProviderIdentity(subject: claims.sub, email: claims.email, emailVerified: claims.emailVerified == true, name: claims.name)
    }

    func userInfo(accessToken: String) async throws -> ProviderUserInfo {
        let info = try await client.userinfo(accessToken: accessToken)
        return ProviderUserInfo(subject: info.subject, email: info.email, emailVerified: info.emailVerified, name: info.name)
    }
}
