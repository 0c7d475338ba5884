import Foundation
@testable import GlobalStacksAgent
import Testing

@Suite("Agent settings")
struct AgentSettingsTests {
    private static func settings(_ url: String) throws -> AgentSettings {
        AgentSettings(serverURL: try #require(URL(string: url)), provisioningToken: nil, credentialsFile: URL(fileURLWithPath: "/tmp/agent.json"), name: "test-agent")
    }

    @Test("Routes keep the server URL's path; the gateway uses ws or wss to match http or https", arguments: [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/agents/register", "ws://127.0.0.1:8080/v1/agents/connect"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1/agents/register", "ws://127.0.0.1:8080/v1/agents/connect"),
        ("https://cp.example.com/gstacks", "https://cp.example.com/gstacks/v1/agents/register", "wss://cp.example.com/gstacks/v1/agents/connect"),
        ("HTTPS://cp.example.com/gstacks/", "HTTPS://cp.example.com/gstacks/v1/agents/register", "wss://cp.example.com/gstacks/v1/agents/connect"),
    ])
    func endpoints(serverURL: String, register: String, connect: String) throws {
        let settings = try Self.settings(serverURL)
        #expect(settings.endpoint("v1/agents/register").absoluteString == register)
        #expect(settings.endpoint("v1/agents/connect", webSocket: true).absoluteString == connect)
    }
}
