import Foundation
import FoundationNetworking
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksDomain
@testable import GlobalStacksServer
import Testing

/// The single-node installation's first minutes: the embedded agent enrolls the moment setup makes the first site
/// admin, and a sandbox refused while it starts (or cannot run) says so instead of advising to enroll an agent.
@Suite("Embedded agent")
struct EmbeddedAgentTests {
    @Test(.enabled(if: ServerProcess.isBuilt && FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap"), "needs bubblewrap and the gstacks product"))
    func theEmbeddedAgentEnrollsTheMomentSetupMakesTheFirstAdmin() async throws {
        let server = try await ServerProcess(["--data-dir", LifecycleTests.dataDirectory(), "--bcrypt-cost", "4", "--embedded-agent"])
        var request = URLRequest(url: server.url("/v1/setup"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (token, printedFirst) = try await server.setupToken()
        request.httpBody = Data(#"{"token":"\#(token)","email":"root@example.com","displayName":"Root","password":"root-password-123"}"#.utf8)
        let (body, response) = try await ServerProcess.session.data(for: request)
        try #require((response as? HTTPURLResponse)?.statusCode == 201, "\(String(decoding: body, as: UTF8.self))")
        let api = try await server.client.signIn(email: "root@example.com", password: "root-password-123")
        try await api.activateTenant(try await api.createTenant(name: "Prod", slug: "prod").id)

        // Before, the agent enrolled only on its next try, 30 s later. Each refusal meanwhile says it is starting.
        var created: GlobalStacksClient.Sandbox?
        var refusals: Set<String> = []
        for _ in 0..<150 where created == nil {
            do {
                created = try await api.createSandbox(command: ["sleep", "60"], resources: .init(cpu: "250m", memory: "64Mi"))
            } catch let error as GlobalStacksClientError {
                refusals.insert(error.message)
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(created != nil, "the embedded agent took sandboxes within 15 s of setup; refusals: \(refusals)")
        #expect(refusals.isSubset(of: ["The embedded agent is starting; try again in a moment."]), "\(refusals)")
        try await server.stop(signal: SIGTERM)
        let log = printedFirst + server.printed
        #expect(!log.contains("and restart"), "the log does not ask for a restart it does not need: \(log.suffix(3_000))")
        #expect(log.contains("The embedded agent enrolls as soon as the first site admin exists"), "\(log.suffix(3_000))")
    }

    @Test func refusalsForWantOfAnAgentSayWhatTheEmbeddedAgentIsDoing() {
        let status = EmbeddedAgentStatus()
        let noneOnline = DomainError.conflict(PlacementRefusal.noneOnline.message)
        #expect(status.explain(noneOnline)?.message == "The embedded agent is starting; try again in a moment.")
        #expect(status.explain(DomainError.conflict(PlacementRefusal.noAgents.message))?.kind == .conflict)
        #expect(status.explain(DomainError.conflict(PlacementRefusal.noCapacity.message)) == nil, "full agents are not the embedded agent's doing")
        #expect(status.explain(DomainError.invalidInput(PlacementRefusal.noneOnline.message)) == nil)
        status.failed("bubblewrap (bwrap) is not installed.")
        #expect(status.explain(noneOnline)?.message.hasPrefix("The embedded agent is not running: bubblewrap (bwrap) is not installed.") == true)
        status.starting()
        #expect(status.explain(noneOnline)?.message == "The embedded agent is starting; try again in a moment.")
    }
}
