import Foundation
@testable import GlobalStacksDomain
import Testing

/// The Data Plane's rules without a database: the states' legal moves, what an extension may declare it provisions,
/// and the checks on its answer to `provision` (third-party input the agent will run).
@Suite("Data Plane rules")
struct DataPlaneRulesTests {
    @Test func instanceStatesMoveOnlyAlongTheTable() {
        #expect(DataPlaneInstanceState.provisioning.canTransition(to: .healthy))
        #expect(DataPlaneInstanceState.healthy.canTransition(to: .degraded) && DataPlaneInstanceState.degraded.canTransition(to: .healthy))
        #expect(!DataPlaneInstanceState.draining.canTransition(to: .healthy), "a report cannot bring a deleting instance back")
        #expect(!DataPlaneInstanceState.deleted.canTransition(to: .provisioning))
        #expect(DataPlaneInstanceState.allCases.filter { $0.canTransition(to: .deleted) } == [.draining], "deleted only through draining")
        #expect(DataPlaneInstanceState.allCases.filter(\.wantsService) == [.provisioning, .healthy, .degraded, .failed])
        #expect(ObjectStoreStatus.provisioning.canTransition(to: .ready) && !ObjectStoreStatus.deleted.canTransition(to: .ready))
        #expect(!ObjectStoreStatus.failed.canTransition(to: .ready), "a failed store is created again, not revived")
    }

    static func operation(_ name: String, targetKind: String = "cluster") -> String {
        #"{"name":"\#(name)","targetKind":"\#(targetKind)"}"#
    }

    @Test func anExtensionDeclaresWhatItProvisionsAndTheOperationsThatNeeds() throws {
        let provision = Self.operation("provision")
        let instance = try MarketplaceDomainTests.manifest(#","operations":[\#(provision)],"dataPlane":{"kind":"instance","provider":"postgresql"}"#)
        #expect(instance.dataPlane?.kind == .instance && instance.dataPlane?.provider == "postgresql")
        #expect(try MarketplaceDomainTests.manifest().dataPlane == nil)
        let refusals = [
            #","operations":[\#(provision)],"dataPlane":{"kind":"database","provider":"pg"}"#: "dataPlane.kind must be one of instance, objectStore",
            #","operations":[],"dataPlane":{"kind":"instance","provider":"pg"}"#: "needs an operation named 'provision'",
            #","operations":[\#(Self.operation("provision", targetKind: "sandbox"))],"dataPlane":{"kind":"instance","provider":"pg"}"#: "must have targetKind 'cluster'",
            #","operations":[\#(provision)],"dataPlane":{"kind":"objectStore","provider":"s3"}"#: "needs an operation named 'verify'",
            #","operations":[\#(provision)],"dataPlane":{"kind":"instance","provider":"p g"}"#: "dataPlane.provider may hold only",
            #","operations":[\#(provision)],"dataPlane":{"kind":"instance","provider":"pg","port":5432}"#: "dataPlane.port is not a manifest field",
        ]
        for (extra, words) in refusals {
            let message = MarketplaceDomainTests.refusal { _ = try MarketplaceDomainTests.manifest(extra) }
            #expect(message.contains(words), "\(extra): \(message)")
        }
    }

    static func answer(_ service: String, endpoint: String = #""postgresql:///p?host={socketDirectory}""#) throws -> ServiceDefinition {
        let text = #"{"service":\#(service),"endpoint":\#(endpoint)}"#
        guard case .object(let outputs) = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { throw DomainError.invalidInput("not an object") }
        return try ServiceDefinition(provisionOutputs: outputs)
    }

    @Test func theProvisioningAnswerIsCheckedBeforeAnAgentRunsIt() throws {
        let good = try Self.answer(#"""
            {"command":["/usr/lib/postgresql/15/bin/postgres","-D","/data/pgdata"],"initCommand":["initdb","-D","/data/pgdata"],
             "environment":{"LC_ALL":"C"},"resources":{"cpu":"1","memory":"512Mi"},
             "healthCheck":{"command":["pg_isready","-h","/run/service"],"intervalSeconds":5,"failureThreshold":3}}
            """#)
        #expect(good.command.first == "/usr/lib/postgresql/15/bin/postgres" && good.initCommand?.count == 3 && good.healthCheck?.intervalSeconds == 5)
        #expect(good.endpoint(socketDirectory: "/run/globalstacks/data-plane/x") == "postgresql:///p?host=/run/globalstacks/data-plane/x")
        let refusals = [
            #"{"command":[]}"#: "service.command must name a program",
            #"{"command":["postgres\u0000-D"]}"#: "must not contain NUL",
            #"{"command":["postgres"],"environment":{"A=B":"c"}}"#: "must not contain '='",
            #"{"command":["postgres"],"resources":{"cpu":"lots"}}"#: "CPU 'lots' is not a quantity",
            #"{"command":["postgres"],"resources":{"disk":"1Gi"}}"#: "service.resources may name cpu and memory only",
            #"{"command":["postgres"],"healthCheck":{"command":["true"],"intervalSeconds":0}}"#: "service.healthCheck.intervalSeconds must be a whole number from 1",
            #"{"command":["postgres"],"privileged":true}"#: "service.privileged is not a manifest field",
        ]
        for (service, words) in refusals {
            let message = MarketplaceDomainTests.refusal { _ = try Self.answer(service) }
            #expect(message.contains(words), "\(service): \(message)")
        }
        #expect(MarketplaceDomainTests.refusal { _ = try Self.answer(#"{"command":["x"]}"#, endpoint: #""a\nb""#) }.contains("endpoint must be a string"))
        #expect(MarketplaceDomainTests.refusal { _ = try ServiceDefinition(provisionOutputs: ["endpoint": .string("x")]) }.contains("no 'service' object"))
    }
}
