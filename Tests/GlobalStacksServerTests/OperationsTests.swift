import Foundation
import GlobalStacksTestSupport
import HummingbirdTesting
import HTTPTypes
import Testing

@Suite("Health, readiness, metrics and routing")
struct OperationsTests {
    @Test func healthReadinessAndMetrics() async throws {
        try await TestServer.run { api, _ in
            #expect(try await api.request(.get, "/healthz").status == .ok)
            #expect(try await api.request(.get, "/readyz").status == .ok)
            _ = try await api.request(.get, "/v1/clusters")
            let metrics = try await api.request(.get, "/metrics")
            #expect(metrics.status == .ok)
            let text = String(decoding: metrics.body, as: UTF8.self)
            #expect(text.contains("hb_requests"))
            #expect(text.contains(#"http_route="/v1/clusters""#))
            #expect(text.contains(#"http_response_status_code="401""#))
            #expect(text.contains("http_server_request_duration"))
        }
    }

    @Test func unknownRoutesAnswerTheContractErrorShape() async throws {
        try await TestServer.run { api, _ in
            let reply = try await api.request(.get, "/v1/nothing-here")
            #expect(reply.status == .notFound)
            #expect(reply.json.keys.sorted() == ["message"])
            #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }

    @Test func liveServerOverARealSocket() async throws {
        try await TestServer.run(.sqlite, .live) { api, _ in
            let session = try await api.signInAdmin()
            let reply = try await api.request(.get, "/v1/organizations/current", session: session)
            #expect(reply.status == .ok)
            #expect(reply.string("currentRole") == "owner")
        }
    }
}
