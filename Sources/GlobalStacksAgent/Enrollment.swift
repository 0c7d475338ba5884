import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksClient
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Registers the agent with a provisioning token and returns its own credentials; rotates its key; asks why a
/// connection was refused. Registration and rotation go through the typed client, so a contract change breaks
/// this build rather than enrolling at run time.
enum Enrollment {
    static func register(_ settings: AgentSettings, token: String) async throws -> AgentCredentials {
        let client = GlobalStacksClient(serverURL: settings.serverURL, credential: .bearer(token))
        let capacity = settings.capacity.map { (maxSessions: $0.maxSessions, cpu: $0.cpu, memory: $0.memory) }
        do {
            let (agentID, key) = try await client.registerAgent(.init(
                name: settings.name, platform: settings.platform, region: settings.region, capacity: capacity, capabilities: settings.announcedCapabilities
            ))
            return AgentCredentials(agentID: agentID, name: settings.name, key: key, serverURL: settings.serverURL.absoluteString)
        } catch let error as GlobalStacksClientError {
            throw AgentError.enrollment(error.description)
        }
    }

    /// Asks the control plane to replace the agent's key with `credentials.pendingKey` (the old one keeps working
    /// for a while); returns the credentials with the new key.
    static func rotateKey(_ settings: AgentSettings, _ credentials: AgentCredentials) async throws -> AgentCredentials {
        guard let newKey = credentials.pendingKey else { return credentials }
        let client = GlobalStacksClient(serverURL: settings.serverURL, credential: .bearer(credentials.key))
        let inForce: String
        do {
            inForce = try await client.rotateAgentKey(to: newKey)
        } catch let error as GlobalStacksClientError {
            throw AgentError.enrollment("Key rotation answered \(error)")
        }
        guard inForce == newKey else { throw AgentError.enrollment("Key rotation answered with another key than the one proposed.") }
        return AgentCredentials(agentID: credentials.agentID, name: credentials.name, key: newKey, serverURL: credentials.serverURL)
    }

    /// The control plane's explanation when it refused the WebSocket upgrade (a revoked or unknown key, most
    /// likely): the same request without the upgrade answers with a message a person can act on. (The gateway's
    /// route, not an operation of the API: plain HTTP.)
    static func connectionRefusal(_ settings: AgentSettings, _ credentials: AgentCredentials) async -> String {
        var request = URLRequest(url: settings.endpoint("v1/agents/connect"), timeoutInterval: 10)
        request.setValue("Bearer \(credentials.key)", forHTTPHeaderField: "Authorization")
        guard let (data, response) = try? await URLSession.shared.data(for: request) else {
            return "the control plane did not answer"
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return "HTTP \(status): \(json["message"] as? String ?? "no explanation")"
    }
}
