import Foundation
import GlobalStacksDomain
import GlobalStacksServer
import GlobalStacksTestSupport
import HTTPTypes
import Testing

/// The start gate, workers and legitimacy through the HTTP edge, with the real worker pool, on both databases.
@Suite("Operation runs through the API")
struct OperationGateTests {
    static let schema = ContractTests.repository.appendingPathComponent("../shared/contracts/execution-legitimacy.schema.json")

    /// ada owns Acme (tenant prod, a directory-file connection), bo is an admin there, carol a member,
    /// dave an outsider. Everyone of Acme has prod active.
    struct World: Sendable {
        let ada: Session
        let bo: Session
        let carol: Session
        let dave: Session
        let boID: String
        let tenantID: String
        let connectionID: Int
        /// The tenant's credential variable prefix, GSTACKS_CREDENTIAL_TNT_…_
        let credentialPrefix: String
        let credentialsDirectory: URL
    }

    /// Runs `body` against a server with a credentials directory; `world` puts a token and a directory export in the
    /// tenant's part of it.
    static func run(_ engine: TestEngine, _ body: @Sendable (APIClient, World) async throws -> Void) async throws {
        let credentials = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-credentials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: credentials) }
        try await TestServer.run(engine, configure: { configuration in
            configuration.enableTestOperations = true
            configuration.workers.pollInterval = 0.2
            configuration.workers.retryBackoff = 1
            configuration.credentialsDirectory = credentials.path
        }) { api, _ in
            try await body(api, try await world(api, credentials: credentials))
        }
    }

    static func world(_ api: APIClient, credentials directory: URL) async throws -> World {
        let admin = try await api.signInAdmin()
        let ada = try await api.newUser("ada@example.com", admin: admin)
        let bo = try await api.newUser("bo@example.com", admin: admin)
        let carol = try await api.newUser("carol@example.com", admin: admin)
        let dave = try await api.newUser("dave@example.com", admin: admin)
        _ = try await api.organization(owner: ada, members: [(bo, "bo@example.com", "admin"), (carol, "carol@example.com", "member")])
        let tenantID = try #require(try await api.request(.post, "/v1/tenants", json: #"{"name":"Prod","slug":"prod"}"#, session: ada).string("id"))
        let tenant = try await api.request(.get, "/v1/tenants/\(tenantID)", session: ada)
        let tenantDirectory = directory.appendingPathComponent(try #require(tenant.string("externalId")))
        try FileManager.default.createDirectory(at: tenantDirectory, withIntermediateDirectories: true)
        try Data("secret-token\n".utf8).write(to: tenantDirectory.appendingPathComponent("token"))
        try Data(#"{"groups":[{"id":"g1","displayName":"Engineering"},{"id":"g2","displayName":"Sales"}]}"#.utf8).write(to: tenantDirectory.appendingPathComponent("groups.json"))
        for session in [ada, bo, carol] {
            #expect(try await api.request(.post, "/v1/tenants/\(tenantID)/activate", session: session).status == .ok)
        }
        let connection = try await api.request(.post, "/v1/integrations", json: """
            {"provider":"directory-file","kind":"directory","name":"Corp","credentialReference":"file:\(tenantDirectory.path)/token",
             "isDefault":true,"metadata":{"directoryPath":"\(tenantDirectory.path)/groups.json"}}
            """, session: ada)
        #expect(connection.status == .created, "\(connection.message)")
        let boID = try #require((try await api.request(.get, "/v1/auth/session", session: bo).json["user"] as? [String: Any])?["id"] as? String)
        let connectionID = try #require(connection.string("id").flatMap { Int($0) })
        return World(
            ada: ada, bo: bo, carol: carol, dave: dave, boID: boID, tenantID: tenantID, connectionID: connectionID,
            credentialPrefix: "GSTACKS_CREDENTIAL_" + (tenant.string("externalId") ?? "").uppercased().replacingOccurrences(of: "-", with: "_") + "_",
            credentialsDirectory: directory
        )
    }

    static func start(_ api: APIClient, _ type: String, _ session: Session, _ body: String? = nil) async throws -> APIClient.Reply {
        try await api.request(.post, "/v1/operations/\(type)/start", json: body, session: session)
    }

    static func runID(_ reply: APIClient.Reply) -> Int? {
        (reply.json["run"] as? [String: Any])?["id"] as? Int
    }

    /// Polls the run until `condition` holds (at most 20 s).
    @discardableResult
    static func waitForRun(_ api: APIClient, _ id: Int, _ session: Session, until condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(20)
        while true {
            let run = try await api.request(.get, "/v1/operation-runs/\(id)", session: session).json
            if condition(run) { return run }
            guard Date() < deadline else {
                Issue.record("run \(id) never reached the expected state; last seen: \(run)")
                return run
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func completed(_ run: [String: Any]) -> Bool { run["executionStatus"] as? String == "completed" }

    @Test(arguments: TestEngine.available)
    func everyOutcomeOfTheGate(engine: TestEngine) async throws {
        try await Self.run(engine) { api, world in
            #expect(try await Self.start(api, "no.such.type", world.ada).status == .notFound)
            #expect(try await Self.start(api, "directory.groups.sync", world.ada, #"{"providerConnectionId":999}"#).status == .notFound, "not visible → 404")
            #expect(try await Self.start(api, "directory.groups.sync", world.carol).status == .forbidden, "visible without the capability → 403")
            #expect(try await Self.start(api, "test.noop", world.ada, #"{"targetContext":{"nested":{"a":1}}}"#).status == .badRequest)

            // accepted → deduped (same operation) → scope_busy (another operation on the connection).
            let slow = #"{"targetContext":{"sleepMs":20000}}"#
            let accepted = try await Self.start(api, "test.connection.write", world.ada, slow)
            #expect(accepted.string("status") == "accepted" && accepted.string("operatorMessage")?.contains("queued") == true)
            #expect((accepted.json["providerConnection"] as? [String: Any])?["id"] as? Int == world.connectionID)
            let writeID = try #require(Self.runID(accepted))
            let deduped = try await Self.start(api, "test.connection.write", world.bo, slow)
            #expect(deduped.string("status") == "deduped" && Self.runID(deduped) == writeID)
            let busy = try await Self.start(api, "directory.groups.sync", world.ada)
            #expect(busy.string("status") == "scope_busy" && Self.runID(busy) == writeID)
            #expect(busy.string("operatorMessage")?.contains("run \(writeID)") == true)

            // Cancel: the running run ends cancelled, members may look but not cancel, outsiders see nothing.
            try await Self.waitForRun(api, writeID, world.ada) { $0["executionStatus"] as? String == "running" }
            #expect(try await api.request(.get, "/v1/operation-runs/\(writeID)", session: world.carol).status == .ok)
            #expect(try await api.request(.post, "/v1/operation-runs/\(writeID)/cancel", session: world.carol).status == .forbidden)
            #expect(try await api.request(.get, "/v1/operation-runs/\(writeID)", session: world.dave).status == .notFound)
            #expect(try await api.request(.post, "/v1/operation-runs/\(writeID)/cancel", session: world.ada).status == .ok)
            let cancelled = try await Self.waitForRun(api, writeID, world.ada, until: Self.completed)
            #expect(cancelled["outcome"] as? String == "cancelled")
            #expect(try await api.request(.post, "/v1/operation-runs/\(writeID)/cancel", session: world.ada).status == .conflict)

            // The scope is free: the sync is accepted and runs.
            let sync = try await Self.start(api, "directory.groups.sync", world.ada)
            #expect(sync.string("status") == "accepted")
            let synced = try await Self.waitForRun(api, try #require(Self.runID(sync)), world.ada, until: Self.completed)
            #expect(synced["outcome"] as? String == "succeeded")
            #expect((synced["result"] as? [String: Any])?["added"] as? String == "2")
            let groups = try await api.request(.get, "/v1/integrations/\(world.connectionID)/directory-groups", session: world.carol)
            #expect(groups.items.compactMap { $0["displayName"] as? String } == ["Engineering", "Sales"])

            // blocked: write gate, connection health, tenant operability. Each leaves a terminal run with its reason.
            #expect(try await api.request(.patch, "/v1/integrations/\(world.connectionID)", json: #"{"writesPaused":true}"#, session: world.ada).status == .ok)
            let gated = try await Self.start(api, "test.connection.write", world.ada)
            #expect(gated.string("status") == "blocked")
            #expect((gated.json["nextSteps"] as? [[String: Any]])?.first?["actionType"] as? String == "open_write_gate")
            #expect(try await api.request(.patch, "/v1/integrations/\(world.connectionID)", json: #"{"writesPaused":false,"status":"needs_reauth"}"#, session: world.ada).status == .ok)
            let unhealthy = try await Self.start(api, "directory.groups.sync", world.ada)
            #expect(unhealthy.string("status") == "blocked" && unhealthy.string("shortReason")?.contains("needs_reauth") == true)
            let blockedRun = try await api.request(.get, "/v1/operation-runs/\(try #require(Self.runID(unhealthy)))", session: world.ada).json
            #expect(blockedRun["outcome"] as? String == "blocked" && blockedRun["reasonCode"] as? String == "provider_connection_invalid")
            #expect(blockedRun["startedAt"] == nil && (blockedRun["nextSteps"] as? [Any])?.isEmpty == false)

            // verify repairs the connection (it only needs one present, not healthy).
            let verify = try await Self.start(api, "provider.connection.verify", world.ada)
            #expect(verify.string("status") == "accepted")
            try await Self.waitForRun(api, try #require(Self.runID(verify)), world.ada, until: Self.completed)
            #expect(try await api.request(.get, "/v1/integrations/\(world.connectionID)", session: world.ada).string("status") == "connected")

            #expect(try await api.request(.patch, "/v1/tenants/\(world.tenantID)", json: #"{"status":"suspended"}"#, session: world.ada).status == .ok)
            let suspended = try await Self.start(api, "test.noop", world.ada)
            #expect(suspended.string("status") == "blocked" && suspended.string("shortReason")?.contains("suspended") == true)

            let blockedList = try await api.request(.get, "/v1/operation-runs?status=completed&operationType=test.connection.write", session: world.ada)
            #expect(blockedList.items.count == 2 && blockedList.items.allSatisfy { $0["operationType"] as? String == "test.connection.write" })
            // Found by Schemathesis: a NUL in the filter was a 500 on PostgreSQL.
            let nul = try await api.request(.get, "/v1/operation-runs?status=completed&operationType=%00%0A", session: world.ada)
            #expect(nul.status == .badRequest && nul.message.contains("operationType"))
        }
    }

    @Test(arguments: TestEngine.available)
    func fiftyConcurrentIdenticalStartsThroughTheAPI(engine: TestEngine) async throws {
        try await Self.run(engine) { api, world in
            let replies = try await withThrowingTaskGroup(of: APIClient.Reply.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await Self.start(api, "test.connection.write", index.isMultiple(of: 2) ? world.ada : world.bo, #"{"targetContext":{"sleepMs":5000}}"#)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let accepted = replies.filter { $0.string("status") == "accepted" }
            let deduped = replies.filter { $0.string("status") == "deduped" }
            #expect(accepted.count == 1)
            #expect(deduped.count == 49)
            #expect(Set(replies.compactMap(Self.runID)) == Set(accepted.compactMap(Self.runID)), "every answer points at the one run")
        }
    }

    @Test(arguments: TestEngine.available)
    func aRetryIsReauthorizedAgainstTheInitiatorsCurrentRole(engine: TestEngine) async throws {
        try await Self.run(engine) { api, world in
            let started = try await Self.start(api, "test.noop", world.bo, #"{"targetContext":{"failAttempts":1}}"#)
            let id = try #require(Self.runID(started))
            // The first attempt fails; the retry waits ~1 s. Meanwhile bo loses the admin role.
            try await Self.waitForRun(api, id, world.ada) { ($0["attempts"] as? Int) == 1 && $0["executionStatus"] as? String == "queued" }
            #expect(try await api.request(.patch, "/v1/organizations/current/members/\(world.boID)", json: #"{"role":"member"}"#, session: world.ada).status == .ok)
            let run = try await Self.waitForRun(api, id, world.ada, until: Self.completed)
            #expect(run["outcome"] as? String == "blocked")
            #expect(run["reasonCode"] as? String == "missing_capability")
            #expect(run["startedAt"] == nil, "a refused attempt keeps no start time")
            let decision = try #require(run["legitimacy"] as? [String: Any])
            #expect(decision["retryable"] as? Bool == false && decision["denial_class"] as? String == "capability_denied")
            #expect((decision["checks"] as? [String: String])?["capability"] == "failed")
            if JSONSchemaValidator.isAvailable {
                try JSONSchemaValidator.validate([try JSONSerialization.data(withJSONObject: decision)], schema: Self.schema)
            }
        }
    }

    @Test(arguments: TestEngine.available)
    func bootstrapAdmitsOperationsOneAtATime(engine: TestEngine) async throws {
        try await Self.run(engine) { api, world in
            let reply = try await api.request(.post, "/v1/operations/bootstrap", json: """
                {"providerConnectionId":\(world.connectionID),"selectedOperations":["provider.connection.verify","directory.groups.sync"]}
                """, session: world.ada)
            #expect(reply.string("status") == "accepted")
            #expect(reply.string("acceptedOperation") == "provider.connection.verify")
            #expect(reply.json["pendingOperations"] as? [String] == ["directory.groups.sync"])
            let firstID = try #require(Self.runID(reply))
            let first = try await Self.waitForRun(api, firstID, world.ada, until: Self.completed)
            let runs = try await api.request(.get, "/v1/operation-runs?operationType=directory.groups.sync", session: world.ada).items
            let secondID = try #require(runs.first?["runId"] as? Int)
            #expect(runs.first?["bootstrapId"] as? String == first["bootstrapId"] as? String)
            let second = try await Self.waitForRun(api, secondID, world.ada, until: Self.completed)
            #expect(second["outcome"] as? String == "succeeded")
            let firstDone = try #require(first["completedAt"] as? String)
            let secondStart = try #require(second["startedAt"] as? String)
            #expect(secondStart >= firstDone, "the second starts only after the first finished")
            #expect(try await api.request(.post, "/v1/operations/bootstrap", json: #"{"providerConnectionId":\#(world.connectionID),"selectedOperations":["test.noop"]}"#, session: world.ada).status == .badRequest)
        }
    }

    @Test func integrationsKeepTheirSecretsAndValidateInput() async throws {
        try await Self.run(.sqlite) { api, world in
            let own = "env:\(world.credentialPrefix)X"
            let bad = [
                #"{"provider":"Directory File","kind":"directory","name":"x","credentialReference":"\#(own)"}"#,
                #"{"provider":"directory-file","kind":"directory","name":"x","credentialReference":"hunter2"}"#,
                #"{"provider":"directory-file","kind":"directory","name":"x","credentialReference":"\#(own)","secret":"no"}"#,
                // Outside the tenant's namespace: the server's own settings, another tenant's variables and files.
                #"{"provider":"p","kind":"k","name":"x","credentialReference":"env:GSTACKS_DATABASE_URL"}"#,
                #"{"provider":"p","kind":"k","name":"x","credentialReference":"env:GSTACKS_CREDENTIAL_TNT_OTHER_X"}"#,
                #"{"provider":"p","kind":"k","name":"x","credentialReference":"file:/etc/hostname"}"#,
                #"{"provider":"p","kind":"k","name":"x","credentialReference":"file:\#(world.credentialsDirectory.path)/tnt-other/token"}"#,
                #"{"provider":"p","kind":"k","name":"x","credentialReference":"\#(own)","metadata":{"directoryPath":"/etc/passwd"}}"#,
            ]
            for body in bad {
                let reply = try await api.request(.post, "/v1/integrations", json: body, session: world.ada)
                #expect(reply.status == .badRequest && !reply.message.isEmpty, "\(body)")
            }
            #expect(try await api.request(.post, "/v1/integrations", json: #"{"provider":"p","kind":"k","name":"x","credentialReference":"\#(own)"}"#, session: world.carol).status == .forbidden)
            let created = try await api.request(.post, "/v1/integrations", json: #"{"provider":"p","kind":"k","name":"x","credentialReference":"\#(own)"}"#, session: world.bo)
            #expect(created.status == .created)
            let id = try #require(created.string("id"))
            for reply in [created, try await api.request(.get, "/v1/integrations", session: world.carol), try await api.request(.get, "/v1/integrations/\(id)", session: world.carol)] {
                #expect(!String(decoding: reply.body, as: UTF8.self).contains("credentialReference") && !String(decoding: reply.body, as: UTF8.self).contains(world.credentialPrefix))
            }
            #expect(try await api.request(.get, "/v1/integrations", session: world.carol).items.count == 2)
            #expect(try await api.request(.delete, "/v1/integrations/\(id)", session: world.carol).status == .forbidden)
            #expect(try await api.request(.delete, "/v1/integrations/\(id)", session: world.bo).status == .noContent)
            #expect(try await api.request(.get, "/v1/integrations/\(id)", session: world.bo).status == .notFound)
            #expect(try await api.request(.get, "/v1/integrations/abc", session: world.bo).status == .notFound)
            #expect(try await api.request(.get, "/v1/integrations", session: world.bo).items.count == 1)
            #expect(try await api.request(.patch, "/v1/integrations/\(world.connectionID)", json: #"{"status":"deleted"}"#, session: world.bo).status == .badRequest)
            #expect(try await api.request(.get, "/v1/operation-types", session: world.carol).items.count == 12,
                    "verify, sync, settings reconcile, extension invoke, the Data Plane's four, template build and snapshot, and the two test types")

            // A credential that is not there: verification fails, says why, and marks the connection.
            let missing = try await api.request(.post, "/v1/integrations", json: #"{"provider":"p","kind":"k","name":"missing","credentialReference":"env:\#(world.credentialPrefix)UNSET"}"#, session: world.bo)
            let missingID = try #require(missing.string("id").flatMap { Int($0) })
            let verify = try await Self.start(api, "provider.connection.verify", world.bo, #"{"providerConnectionId":\#(missingID)}"#)
            let run = try await Self.waitForRun(api, try #require(Self.runID(verify)), world.bo, until: Self.completed)
            #expect(run["outcome"] as? String == "failed" && (run["shortReason"] as? String)?.contains("not set") == true)
            let refused = try await api.request(.get, "/v1/integrations/\(missingID)", session: world.bo)
            #expect(refused.string("status") == "needs_reauth" && refused.string("statusReason")?.contains("not set") == true)
            #expect(!String(decoding: refused.body, as: UTF8.self).contains("UNSET"), "messages do not repeat the reference")
        }
    }

    @Test(.enabled(if: JSONSchemaValidator.isAvailable, "needs python3 with jsonschema (scripts/test.sh provides it)"))
    func everyDecisionValidatesAgainstTheSchema() throws {
        let tenantID = TenantID.generate()
        let organizationID = OrganizationID.generate()
        let connection = ProviderConnection(
            id: ProviderConnectionID(rawValue: 9), tenantID: tenantID, provider: "directory-file", kind: "directory", name: "Corp",
            status: .connected, statusReason: nil, externalAccountID: nil, credentialReference: "env:X", isDefault: true,
            writesPaused: false, metadata: ["directoryPath": "/x"], createdAt: Date(), updatedAt: Date()
        )
        func facts(_ mode: AuthorityMode, tenant: TenantStatus? = .active, role: OrganizationRole? = .admin, connection: ProviderConnection?) -> LegitimacyFacts {
            LegitimacyFacts(
                definition: .directoryGroupsSync, authorityMode: mode, organizationID: organizationID, tenantID: tenantID, workspaceExists: true,
                tenant: tenant.map { .init(belongsToWorkspace: true, status: $0) },
                initiator: mode == .actorBound ? .init(isActive: true, siteRole: .user, organizationRole: role) : nil, connection: connection
            )
        }
        let cases = [
            facts(.actorBound, connection: connection), facts(.systemAuthority, connection: connection),
            facts(.actorBound, role: .member, connection: connection), facts(.actorBound, role: nil, connection: connection),
            facts(.actorBound, tenant: nil, connection: connection), facts(.actorBound, tenant: .suspended, connection: connection),
            facts(.systemAuthority, connection: nil),
        ]
        let documents = try cases.flatMap { facts in
            try [LegitimacyDecision.TargetScope(workspaceID: 1, tenantID: 2, providerConnectionID: 9), .init(workspaceID: 1, tenantID: nil, providerConnectionID: nil)].map {
                try JSONEncoder().encode(LegitimacyEvaluator.evaluate(facts, target: $0, initiatorNumber: facts.authorityMode == .actorBound ? 4 : nil))
            }
        }
        try JSONSchemaValidator.validate(documents, schema: Self.schema)
    }
}
