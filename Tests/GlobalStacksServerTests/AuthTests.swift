import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import HTTPTypes
import Testing
@testable import GlobalStacksServer
import GlobalStacksUseCases

@Suite("Sign-in, sessions, API keys and accounts")
struct AuthTests {
    @Test func signInSetsAHardenedSessionCookieAndSignOutRevokesIt() async throws {
        try await TestServer.run { api, _ in
            let session = try await api.signInAdmin()
            #expect(session.setCookie.contains("HttpOnly"))
            #expect(session.setCookie.contains("SameSite=Lax"))
            #expect(session.setCookie.contains("Path=/"))
            #expect(!session.setCookie.contains("Secure"), "plain HTTP without --secure-cookies")
            let token = session.header.value.split(separator: "=", maxSplits: 1)[1]
            #expect(token.count >= 43, "256-bit token")

            let current = try await api.request(.get, "/v1/auth/session", session: session)
            #expect(current.status == .ok)
            #expect(current.json["authenticated"] as? Bool == true)
            #expect((current.json["user"] as? [String: Any])?["email"] as? String == TestServer.adminEmail)

            #expect(try await api.request(.delete, "/v1/auth/session", session: session).status == .noContent)
            let after = try await api.request(.get, "/v1/auth/session", session: session)
            #expect(after.status == .unauthorized)
            #expect(after.message.contains("sign in again"))
        }
    }

    @Test func secureCookiesWhenConfigured() async throws {
        try await TestServer.run(configure: { $0.secureCookies = true }) { api, _ in
            let session = try await api.signInAdmin()
            #expect(session.setCookie.contains("Secure"))
        }
    }

    @Test func badCredentialsAndBadInputAreClearErrors() async throws {
        try await TestServer.run { api, _ in
            let wrong = try await api.request(.post, "/v1/auth/session", json: #"{"strategy":"password","loginName":"root@example.com","password":"nope-nope-nope"}"#)
            #expect(wrong.status == .unauthorized && wrong.message == "Email or password is incorrect.")
            let unknown = try await api.request(.post, "/v1/auth/session", json: #"{"strategy":"password","loginName":"who@example.com","password":"nope-nope-nope"}"#)
            #expect(unknown.status == .unauthorized && unknown.message == wrong.message, "no account enumeration")
            let oidc = try await api.request(.post, "/v1/auth/session", json: #"{"strategy":"oidc_device_code"}"#)
            #expect(oidc.status == .badRequest && oidc.message.contains("not configured"))
            let missing = try await api.request(.post, "/v1/auth/session", json: #"{"strategy":"password"}"#)
            #expect(missing.status == .badRequest && missing.message.contains("loginName"))
            let extra = try await api.request(.post, "/v1/auth/session", json: #"{"strategy":"password","admin":true}"#)
            #expect(extra.status == .badRequest && extra.message.contains("admin"))
            let strategy = try await api.request(.post, "/v1/auth/session", json: #"{"strategy":"magic"}"#)
            #expect(strategy.status == .badRequest)
            let malformed = try await api.request(.post, "/v1/auth/session", json: #"{"strategy":"#)
            #expect(malformed.status == .badRequest && malformed.message.contains("not valid JSON"))
            let type = try await api.request(.post, "/v1/auth/session", json: #"{"strategy":"password","loginName":5}"#)
            #expect(type.status == .badRequest && type.message.contains("loginName"))
            let huge = try await api.request(.post, "/v1/auth/session", json: #"{"strategy":"password","password":""# + String(repeating: "x", count: 2 << 20) + #""}"#)
            #expect(huge.status == .contentTooLarge)
            #expect(!huge.message.isEmpty)
            let bearer = try await api.request(.get, "/v1/auth/session", headers: [.authorization: "Bearer not-a-key"])
            #expect(bearer.status == .unauthorized && bearer.message.contains("gsk_"))
        }
    }

    @Test func parallelGuessesAreThrottledPerAccount() async throws {
        try await TestServer.run { api, _ in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await api.request(.post, "/v1/auth/session", json: #"{"strategy":"password","loginName":"root@example.com","password":"guess-guess-guess"}"#).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == 5, "five attempts per window")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 15)
            let locked = try await api.request(.post, "/v1/auth/session", json: #"{"strategy":"password","loginName":"root@example.com","password":"root-password-123"}"#)
            #expect(locked.status == .tooManyRequests, "even the right password waits out the lock")
            let retryAfter = try #require(locked.headers[.retryAfter].flatMap(Int.init))
            #expect(retryAfter > 0 && retryAfter <= 900)
        }
    }

    @Test func setupTokenCreatesTheFirstAdmin() async throws {
        try await TestServer.run(configure: { $0.initialAdminEmail = nil; $0.initialAdminPassword = nil }) { api, database in
            // The server printed a token at start; plant a known one the same way (only its hash is stored).
            try await database.withStore { store in
                try await store.replaceSetupToken(hash: SecretHasher.hash("gss_known"), at: Date())
            }
            let body = #"{"token":"%@","email":"first@example.com","displayName":"First","password":"first-password-1"}"#
            let wrong = try await api.request(.post, "/v1/setup", json: String(format: body, "gss_wrong"))
            #expect(wrong.status == .forbidden)
            let created = try await api.request(.post, "/v1/setup", json: String(format: body, "gss_known"))
            #expect(created.status == .created)
            #expect(created.string("siteRole") == "admin")
            #expect(try await api.request(.post, "/v1/setup", json: String(format: body, "gss_known")).status == .conflict)
            _ = try await api.signIn("first@example.com", "first-password-1")
        }
    }

    @Test func apiKeysAreShownOnceAndAuthenticateAsBearer() async throws {
        try await TestServer.run { api, _ in
            let admin = try await api.signInAdmin()
            let created = try await api.request(.post, "/v1/api-keys", json: #"{"name":"ci","expiresInDays":30}"#, session: admin)
            #expect(created.status == .created)
            let key = try #require(created.string("key"))
            #expect(key.hasPrefix("gsk_"))
            let keyID = try #require((created.json["apiKey"] as? [String: Any])?["id"] as? String)

            let viaKey = try await api.request(.get, "/v1/organizations/current", session: .bearer(key))
            #expect(viaKey.status == .ok)
            let list = try await api.request(.get, "/v1/api-keys", session: .bearer(key))
            #expect(list.items.count == 1)
            #expect(!String(decoding: list.body, as: UTF8.self).contains(key), "the secret is never shown again")
            #expect(try await api.request(.delete, "/v1/auth/session", session: .bearer(key)).status == .badRequest)

            #expect(try await api.request(.delete, "/v1/api-keys/\(keyID)", session: admin).status == .noContent)
            #expect(try await api.request(.delete, "/v1/api-keys/\(keyID)", session: admin).status == .notFound)
            #expect(try await api.request(.get, "/v1/organizations/current", session: .bearer(key)).status == .unauthorized)
            #expect(try await api.request(.post, "/v1/api-keys", json: #"{"name":"x","expiresInDays":0}"#, session: admin).status == .badRequest)
        }
    }

    @Test func siteAdminsManageAccounts() async throws {
        try await TestServer.run { api, _ in
            let admin = try await api.signInAdmin()
            let ada = try await api.newUser("ada@example.com", admin: admin)
            #expect(try await api.request(.get, "/v1/users", session: ada).status == .forbidden)
            let users = try await api.request(.get, "/v1/users", session: admin)
            #expect(Set(users.items.compactMap { $0["email"] as? String }) == ["root@example.com", "ada@example.com"])
            let duplicate = try await api.request(.post, "/v1/users", json: #"{"email":"ADA@example.com","displayName":"Ada","password":"password-1234"}"#, session: admin)
            #expect(duplicate.status == .conflict)
            let weak = try await api.request(.post, "/v1/users", json: #"{"email":"bo@example.com","displayName":"Bo","password":"short"}"#, session: admin)
            #expect(weak.status == .badRequest && weak.message.contains("password"))

            let adaID = try #require(users.items.first { $0["email"] as? String == "ada@example.com" }?["id"] as? String)
            let deactivated = try await api.request(.post, "/v1/users/\(adaID)/deactivate", session: admin)
            #expect(deactivated.status == .ok && deactivated.json["active"] as? Bool == false)
            #expect(try await api.request(.get, "/v1/auth/session", session: ada).status == .unauthorized, "sessions are revoked")
            let again = try await api.request(.post, "/v1/auth/session", json: #"{"strategy":"password","loginName":"ada@example.com","password":"password-for-tests"}"#)
            #expect(again.status == .unauthorized)
        }
    }

    @Test func selfSignUpOnlyWhenEnabled() async throws {
        let body = #"{"email":"new@example.com","displayName":"New","password":"new-password-1"}"#
        try await TestServer.run { api, _ in
            let reply = try await api.request(.post, "/v1/signup", json: body)
            #expect(reply.status == .forbidden)
        }
        try await TestServer.run(configure: { $0.allowSignUp = true }) { api, _ in
            #expect(try await api.request(.post, "/v1/signup", json: body).status == .created)
            _ = try await api.signIn("new@example.com", "new-password-1")
        }
    }
}

@Suite("Session expiry")
struct SessionExpiryTests {
    @Test func idleSessionsExpire() async throws {
        // 10 s: long enough that the first request comes in time on a loaded machine running the whole suite in
        // parallel (3 s and 6 s were seen to be too short there).
        try await TestServer.run(configure: { $0.sessionIdleTimeout = 10 }) { api, _ in
            let session = try await api.signInAdmin()
            #expect(try await api.request(.get, "/v1/auth/session", session: session).status == .ok)
            try await Task.sleep(for: .milliseconds(10_300))
            let expired = try await api.request(.get, "/v1/auth/session", session: session)
            #expect(expired.status == .unauthorized && expired.message.contains("sign in again"))
        }
    }

    @Test func sessionsEndAtTheirAbsoluteLifetime() async throws {
        try await TestServer.run(configure: { $0.sessionAbsoluteLifetime = 1 }) { api, _ in
            let session = try await api.signInAdmin()
            try await Task.sleep(for: .milliseconds(1_200))
            #expect(try await api.request(.get, "/v1/auth/session", session: session).status == .unauthorized)
        }
    }
}
