import Foundation
import GlobalStacksTestSupport
import HTTPTypes
import Testing
@testable import GlobalStacksServer

/// In the spirit of Coder's dbauthz accounting: every operation the server serves is walked from `openapi.yaml`, and
/// an anonymous call to it must be refused with 401 unless the operation is in `AnonymousOperations`. An operation
/// added to the document (and to the generator's filter) is covered the moment it is served.
@Suite("Authentication accounting")
struct AuthenticationAccountingTests {
    struct Operation: CustomStringConvertible {
        let id: String
        let method: HTTPRequest.Method
        let path: String
        var description: String { "\(id) (\(method) \(path))" }
    }

    /// The operations the generator serves: those with a tag or an id in `openapi-generator-config.yaml`'s filter.
    static func servedOperations() throws -> [Operation] {
        let document = try ContractTests.load(ContractTests.repository.appendingPathComponent("Sources/GlobalStacksAPI/openapi.yaml"))
        let config = try ContractTests.load(ContractTests.repository.appendingPathComponent("Sources/GlobalStacksAPI/openapi-generator-config.yaml"))
        let filter = try #require(config["filter"] as? [String: Any])
        let tags = Set(filter["tags"] as? [String] ?? [])
        let ids = Set(filter["operations"] as? [String] ?? [])
        let paths = try #require(document["paths"] as? [String: Any])
        var operations: [Operation] = []
        for (path, item) in paths {
            for (method, value) in item as? [String: Any] ?? [:] {
                guard let operation = value as? [String: Any], let id = operation["operationId"] as? String,
                      let httpMethod = HTTPRequest.Method(method.uppercased())
                else { continue }
                let operationTags = Set(operation["tags"] as? [String] ?? [])
                guard ids.contains(id) || !operationTags.isDisjoint(with: tags) else { continue }
                operations.append(Operation(id: id, method: httpMethod, path: path))
            }
        }
        return operations.sorted { $0.id < $1.id }
    }

    /// `{name}` placeholders filled with a value of the right shape (the refusal must come before any lookup).
    static func concrete(_ path: String) -> String {
        path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "0d3f1c4e-8a52-4b7e-9c61-2f5a7e9b1d20", options: .regularExpression)
    }

    @Test func everyServedOperationRefusesAnonymousCallersUnlessListed() async throws {
        let operations = try Self.servedOperations()
        #expect(operations.count >= 79, "the walk found the served operations (\(operations.count))")
        let served = Set(operations.map(\.id))
        #expect(AnonymousOperations.ids.isSubset(of: served), "stale entries: \(AnonymousOperations.ids.subtracting(served))")
        try await TestServer.run(.sqlite) { api, _ in
            var reachable: [String] = []
            for operation in operations where !AnonymousOperations.ids.contains(operation.id) {
                let body = [.post, .put, .patch].contains(operation.method) ? "{}" : nil
                let reply = try await api.request(operation.method, Self.concrete(operation.path), json: body)
                if reply.status != .unauthorized { reachable.append("\(operation): \(reply.status.code) \(reply.message)") }
            }
            #expect(reachable.isEmpty, "reachable without signing in: \(reachable.joined(separator: "; "))")
            // A credential that does not resolve is refused the same way, before the handler.
            let withBadKey = try await api.request(.get, "/v1/tenants", headers: [.authorization: "Bearer gsk_not-a-key"])
            #expect(withBadKey.status == .unauthorized)
        }
    }
}
