import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

/// The credentials and sign-ins this change added, on both engines: an invocation credential keeps its tenant and
/// permissions and ends when revoked; a device login moves only away from pending and is used once, even raced;
/// provider identities link to one account.
@Suite("Store conformance: invocation credentials and device logins")
struct SignInConformanceTests {
    @Test(arguments: TestEngine.available)
    func anInvocationCredentialKeepsItsTenantAndPermissionsUntilRevoked(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let ada = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date())
            let acme = try await store.createOrganization(name: "Acme", Fixtures.account(ada.id), at: Date())
            let tenant = try await store.createTenant(name: "Prod", slug: Fixtures.slug("prod"), description: nil, Fixtures.scope(acme.id), at: Date())
            var new = NewCredential(
                kind: .invocation, userID: ada.id, tokenHash: "invocation-hash", tokenPrefix: "gse_abc", name: "extension invocation",
                expiresAt: Date().addingTimeInterval(60), activeOrganizationID: acme.id
            )
            new.activeTenantID = tenant.id
            new.permissions = [.clustersRead, .sandboxesRead]
            let created = try await store.createCredential(new, at: Date())
            let principal = try #require(try await store.principal(tokenHash: "invocation-hash", kind: .invocation))
            #expect(principal.credential.permissions == [.clustersRead, .sandboxesRead] && created.permissions == principal.credential.permissions)
            #expect(principal.tenant?.id == tenant.id && principal.organization.organization.id == acme.id)
            #expect(try await store.principal(tokenHash: "invocation-hash", kind: .apiKey) == nil, "kinds do not mix")
            let (_, sessionHash) = try await Fixtures.session(for: ada, store: store)
            #expect(try await store.principal(tokenHash: sessionHash, kind: .session)?.credential.permissions == nil, "a person's credential is not limited")

            try await store.revokeIssuedCredential(id: created.id, at: Date())
            #expect(try await store.principal(tokenHash: "invocation-hash", kind: .invocation)?.credential.revokedAt != nil)
        }
    }

    static func login(status: DeviceLogin.Status = .pending, expiresIn: TimeInterval = 600) -> DeviceLogin {
        // Whole seconds: the store keeps milliseconds.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        return DeviceLogin(
            id: UUID().uuidString.lowercased(), provider: "corp", userCode: "KE72JQVX", verificationURI: "https://id.example/device",
            verificationURIComplete: nil, expiresAt: now.addingTimeInterval(expiresIn), interval: 5, nextPollAt: now, status: status,
            message: nil, userID: nil, sealedDeviceCode: "sealed"
        )
    }

    @Test(arguments: TestEngine.available)
    func aDeviceLoginIsDecidedOnceAndUsedOnce(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let ada = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date())
            var login = Self.login()
            try await store.createDeviceLogin(login, tokenHash: "device-hash", at: Date())
            #expect(try await store.deviceLogin(tokenHash: "device-hash") == login)
            #expect(try await store.consumeDeviceLogin(tokenHash: "device-hash", at: Date()) == nil, "a pending login finishes nothing")

            login.status = .approved
            login.userID = ada.id
            try await store.updateDeviceLogin(login)
            var denied = login
            denied.status = .denied
            try await store.updateDeviceLogin(denied)
            #expect(try await store.deviceLogin(tokenHash: "device-hash")?.status == .approved, "only a pending login is decided")

            async let first = store.consumeDeviceLogin(tokenHash: "device-hash", at: Date())
            async let second = store.consumeDeviceLogin(tokenHash: "device-hash", at: Date())
            let used = try await [first, second]
            #expect(used.compactMap { $0 } == [ada.id], "used once, even raced: \(used)")
            #expect(try await store.deviceLogin(tokenHash: "device-hash") == nil, "a used login is gone")

            var late = Self.login(expiresIn: -1)
            try await store.createDeviceLogin(late, tokenHash: "late-hash", at: Date())
            late.status = .approved
            late.userID = ada.id
            try await store.updateDeviceLogin(late)
            #expect(try await store.consumeDeviceLogin(tokenHash: "late-hash", at: Date()) == nil, "an expired approval finishes nothing")
            try await store.pruneDeviceLogins(before: Date())
            #expect(try await store.deviceLogin(tokenHash: "late-hash") == nil, "pruned")
        }
    }

    @Test(arguments: TestEngine.available)
    func aProviderIdentityLinksToOneAccount(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let ada = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date())
            let bo = try await store.createUser(Fixtures.newUser("bo@example.com"), at: Date())
            #expect(try await store.user(provider: "corp", subject: "s-1") == nil)
            try await store.linkIdentity(provider: "corp", subject: "s-1", to: ada.id, at: Date())
            try await store.linkIdentity(provider: "corp", subject: "s-1", to: bo.id, at: Date())
            #expect(try await store.user(provider: "corp", subject: "s-1")?.id == ada.id, "the first link stays")
            #expect(try await store.user(provider: "other", subject: "s-1") == nil, "subjects are per provider")
            #expect(try await store.user(id: bo.id)?.email == bo.email)
        }
    }
}
