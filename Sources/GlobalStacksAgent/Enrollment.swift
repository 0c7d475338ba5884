import Foundation
import GlobalStacksAgentProtocol
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Registers the agent with a provisioning token and returns its own credentials; rotates its key; asks why a
/// connection was refused.
enum Enrollment {
    static func register(_ settings: AgentSettings, token: String) async throws -> AgentCredentials {
        var request = URLRequest(url: settings.endpoint("v1/agents/register"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        var body: [String: Any] = ["agentId": settings.name, "platform": settings.platform, "capabilities": settings.capabilities]
        if let region = settings.region { body["region"] = region }
        if let capacity = settings.capacity {
            body["capacity"] = ["maxSessions": capacity.maxSessions, "cpu": capacity.cpu, "memory": capacity.memory]
        }
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        guard status == 201, let key = json["apiKey"] as? String, let agent = json["agent"] as? [String: Any], let id = agent["id"] as? String else {
            throw AgentError.enrollment("HTTP \(status): \(json["message"] as? String ?? "unexpected answer")")
        }
        return AgentCredentials(agentID: id, name: settings.name, key: key, serverURL: settings.serverURL.absoluteString)
    }

    /// Asks the control plane to replace the agent's key with `credentials.pendingKey` (the old one keeps working
    /// for a while); returns the credentials with the new key.
    static func rotateKey(_ settings: AgentSettings, _ credentials: AgentCredentials) async throws -> AgentCredentials {
        guard let newKey = credentials.pendingKey else { return credentials }
        var request = URLRequest(url: settings.endpoint("v1/agents/rotate-key"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(credentials.key)", forHTTPHeaderField: "Authorization")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["newKey": newKey])
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        guard status == 200, json["apiKey"] as? String == newKey else {
            throw AgentError.enrollment("Key rotation answered HTTP \(status): \(json["message"] as? String ?? "unexpected answer")")
        }
        return AgentCredentials(agentID: credentials.agentID, name: credentials.name, key: newKey, serverURL: credentials.serverURL)
    }

    /// The control plane's explanation when it refused the WebSocket upgrade (a revoked or unknown key, most
    /// likely): the same request without the upgrade answers with a message a person can act on.
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
