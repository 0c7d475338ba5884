import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import Synchronization
import Testing
@testable import GlobalStacksUseCases

@Suite("Device login service")
struct DeviceLoginServiceTests {
    /// A provider that approves at once with an ID token that has no email; its UserInfo has the verified email.
    final class ApprovingProvider: DeviceSignInProvider {
        let provider: OIDCProvider
        let userInfoCalls = Mutex(0)

        init() throws {
            provider = try #require(try OIDCProvider.parse(Data(#"[{"name": "corp", "issuer": "https://idp.example.com", "clientId": "gs", "createUsers": true}]"#.utf8)).first)
        }

        func authorize() async throws -> DeviceAuthorization {
            DeviceAuthorization(
                userCode: "WXYZ-1234", verificationURI: "https://idp.example.com/device", verificationURIComplete: nil, expiresIn: 600, interval: 5,
                sealedDeviceCode: "sealed"
            )
        }

        func token(sealedDeviceCode: String) async throws -> DeviceTokenAnswer {
            #expect(sealedDeviceCode == "sealed")
            return .tokens(idToken: "id-token", accessToken: "access-token")
        }

        func identity(idToken: String) async throws -> ProviderIdentity {
            ProviderIdentity(subject: "subject-1", email: nil, emailVerified: false, name: nil)
        }

        func userInfo(accessToken: String) async throws -> ProviderUserInfo {
            userInfoCalls.withLock { $0 += 1 }
            return ProviderUserInfo(subject: "subject-1", email: "grace@example.com", emailVerified: true, name: "Grace")
        }
    }

    @Test func anApprovedSignInCreatesTheAccountFromUserInfoAndOpensOneSession() async throws {
        try await ServiceFixtures.withStore { store in
            let corp = try ApprovingProvider()
            let service = DeviceLoginService(
                providers: [corp], store: store, issuer: CredentialIssuer(store: store, lifetime: CredentialLifetime()),
                throttle: LoginThrottle(attemptsPerWindow: 5, window: 60)
            )
            let request = ServiceFixtures.request
            #expect(await ServiceFixtures.kind { _ = try await service.begin(provider: "other", request) } == .invalidInput)

            let (token, begun) = try await service.begin(provider: "corp", request)
            #expect(token.hasPrefix(DeviceLoginService.tokenPrefix) && begun.status == .pending)
            let polled = try await service.poll(token: token, request)
            #expect(polled.status == .approved)
            #expect(corp.userInfoCalls.withLock { $0 } == 1)

            let session = try await service.signIn(token: token, provider: "corp", request)
            #expect(session.user.email.canonical == "grace@example.com" && session.user.displayName == "Grace")
            #expect(try await store.user(provider: "corp", subject: "subject-1")?.id == session.user.id, "the identity is linked")
            #expect(await ServiceFixtures.kind { _ = try await service.signIn(token: token, provider: "corp", request) } == .unauthenticated, "once")
            #expect(await ServiceFixtures.kind { _ = try await service.signIn(token: nil, provider: "corp", request) } == .invalidInput)
        }
    }
}
