import HTTPTypes
import Testing
@testable import GlobalStacksServer

@Suite("Bearer tokens")
struct BearerTokenTests {
    @Test("The scheme is case-insensitive and the token is trimmed", arguments: [
        ("Bearer gsk_abc", "gsk_abc"), ("bearer gsk_abc", "gsk_abc"), ("BEARER   gsa_x  ", "gsa_x"),
    ])
    func tokens(header: String, token: String) {
        #expect(BearerToken.parse(header) == token)
    }

    @Test func anEmptyTokenIsKeptSoItIsRefusedAndOtherSchemesAreNotBearer() {
        #expect(BearerToken.parse("Bearer") == "")
        #expect(BearerToken.parse("bearer ") == "")
        #expect(BearerToken.parse("Basic YWRhOnB3") == nil)
        #expect(BearerToken.parse("Bearertoken") == nil)
        #expect(BearerToken.parse(nil) == nil)
    }

    /// A cookie does not rescue a request whose bearer header is malformed.
    @Test func aBareBearerHeaderIsRefusedEvenWithASessionCookie() async throws {
        try await TestServer.run { api, _ in
            let session = try await api.signInAdmin()
            #expect(try await api.request(.get, "/v1/auth/session", session: session).status == .ok)
            let reply = try await api.request(.get, "/v1/auth/session", session: session, headers: [.authorization: "Bearer"])
            #expect(reply.status == .unauthorized)
        }
    }
}
