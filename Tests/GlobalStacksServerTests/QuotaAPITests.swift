import Foundation
import GlobalStacksTestSupport
import HTTPTypes
import Testing

/// Quotas through the router: set, read, remove; only those who manage the organization change them.
@Suite("Quota API")
struct QuotaAPITests {
    @Test(arguments: TestEngine.available)
    func setReadAndRemoveQuotas(engine: TestEngine) async throws {
        try await TestServer.run(engine) { api, _ in
            let admin = try await api.signInAdmin()
            let ada = try await api.newUser("ada@example.com", admin: admin)
            let carol = try await api.newUser("carol@example.com", admin: admin)
            _ = try await api.organization(owner: ada, members: [(carol, "carol@example.com", "member")])
            let carolID = try #require((try await api.request(.get, "/v1/auth/session", session: carol).json["user"] as? [String: Any])?["id"] as? String)
            let groupID = try #require(try await api.request(
                .post, "/v1/groups", json: #"{"name":"platform","displayName":"Platform","type":"team"}"#, session: ada
            ).string("id"))

            let quotas = ["/v1/organizations/current/quota", "/v1/organizations/current/members/\(carolID)/quota", "/v1/groups/\(groupID)/quota"]
            for path in quotas {
                let set = try await api.request(.put, path, json: #"{"maxSessions":3,"maxMemory":"2Gi"}"#, session: ada)
                #expect(set.status == .ok && set.json["maxSessions"] as? Int == 3 && set.string("maxMemory") == "2Gi", "\(path): \(set.json)")
                #expect(try await api.request(.delete, path, session: carol).status == .forbidden, "\(path): a member cannot remove it")
                #expect(try await api.request(.get, path, session: carol).json["maxSessions"] as? Int == 3, "\(path): still set")

                #expect(try await api.request(.delete, path, session: ada).status == .noContent, "\(path)")
                let removed = try await api.request(.get, path, session: ada)
                #expect(removed.status == .ok && removed.json["maxSessions"] == nil && removed.json["maxMemory"] == nil, "\(path): \(removed.json)")
                #expect(try await api.request(.delete, path, session: ada).status == .noContent, "\(path): removing nothing is no error")
            }
            #expect(try await api.request(.get, "/v1/quotas/usage", session: carol).items.isEmpty, "no quota applies any more")
            #expect(try await api.request(.delete, "/v1/groups/\(UUID().uuidString.lowercased())/quota", session: ada).status == .notFound)
            #expect(try await api.request(.delete, "/v1/organizations/current/members/\(UUID().uuidString.lowercased())/quota", session: ada).status == .notFound)
        }
    }
}
