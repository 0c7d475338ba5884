import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Testing

@Suite("Agent protocol: data-plane services")
struct ServiceProtocolTests {
    @Test func aStartServiceCommandCarriesItsWholeSpecOnTheWire() throws {
        let spec = StartServicePayload(
            serviceId: "7d1c0a1e-0000-4000-8000-000000000001", tenantId: "t-1", command: ["/usr/bin/postgres", "-D", "/data/pgdata"],
            initCommand: ["/usr/bin/initdb", "-D", "/data/pgdata"], environment: ["LANG": "C.UTF-8"], resources: ["cpu": "500m", "memory": "256Mi"],
            healthCheck: ServiceHealthCheck(command: ["pg_isready", "-h", "/run/service"], intervalSeconds: 5, timeoutSeconds: 2, failureThreshold: 3)
        )
        let message = try CommandMessage(commandId: "c", body: .startService(spec))
        #expect(message.action == "start_service")
        #expect(message.payload["tenantId"] == .string("t-1"))
        #expect(message.payload["healthCheck"]?["failureThreshold"] == .number(3))
        guard case .command(let decoded) = try AgentProtocol.decodeControl(try AgentProtocol.encode(.command(message))).message else {
            Issue.record("not a command")
            return
        }
        #expect(try decoded.body() == .startService(spec))
        #expect(try decoded.body().sessionID == spec.serviceId, "commands about one service run one after another")
        // Without the command, the payload is refused with the field.
        let missing = CommandMessage(commandId: "c", action: "start_service", payload: ["serviceId": .string("s"), "tenantId": .string("t")])
        #expect(throws: ProtocolError.self) { try missing.body() }
    }

    @Test func aServiceStatusRoundTripsWithItsHealth() throws {
        let checkedAt = Date(timeIntervalSince1970: 1_800_000_000.25)
        let status = AgentMessage.serviceStatus(ServiceStatusMessage(
            serviceId: "s", state: ServiceStatusMessage.State.restarting.rawValue, reason: "The service's process exited with status 137.",
            health: ServiceHealth(checkedAt: checkedAt, passed: false, output: "no response", consecutiveFailures: 2, restarts: 1, startedAt: checkedAt, lastExitStatus: 137)
        ))
        let encoded = try AgentProtocol.encode(status)
        let envelope = try JSONSerialization.jsonObject(with: encoded) as? [String: Any]
        #expect(envelope?["type"] as? String == "service_status")
        #expect(try AgentProtocol.decodeAgent(encoded).message == status)
        // A service that was never checked leaves the check's fields out.
        let fresh = AgentMessage.serviceStatus(ServiceStatusMessage(serviceId: "s", state: "starting", reason: nil, health: ServiceHealth()))
        #expect(try AgentProtocol.decodeAgent(try AgentProtocol.encode(fresh)).message == fresh)
    }

    @Test func startServiceAnswersWithTheSocketDirectoryTheTenantsSandboxesSee() throws {
        let result = StartServiceResult(socketDirectory: StartServicePayload.socketDirectory("abc"))
        let complete = try CompleteMessage(commandId: "c", typedResult: result)
        #expect(complete.result == ["socketDirectory": .string("/run/globalstacks/data-plane/abc")])
        #expect(try complete.decodeResult(StartServiceResult.self) == result)
    }

    @Test func aSandboxNamesItsTenant() throws {
        var start = StartSessionPayload(sessionId: "s")
        start.tenantId = "t-1"
        let message = try CommandMessage(commandId: "c", body: .startSession(start))
        #expect(message.payload["tenantId"] == .string("t-1"))
        #expect(try message.body() == .startSession(start))
    }
}
