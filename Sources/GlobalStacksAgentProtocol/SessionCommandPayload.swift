import Foundation

/// The payload of a session command: for `start_session` the contract's CreateSessionCommand plus `command` (what
/// the process driver runs) and `network`; the other actions carry only `sessionId`.
public struct SessionCommandPayload: Sendable, Equatable, Codable {
    public let sessionId: String
    public var user: String?
    public var template: String?
    /// `cpu`, `memory` (and `storage`) as Kubernetes quantities.
    public var resources: [String: String]?
    public var persistentHome: Bool?
    public var environment: [String: String]?
    public var command: [String]?
    public var network: Bool?

    public init(sessionId: String) {
        self.sessionId = sessionId
    }

    /// As the `payload` object of a `command` message.
    public func jsonObject() throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(self))
    }

    /// From the `payload` object of a `command` message; a payload without `sessionId` is refused.
    public init(payload: [String: JSONValue]) throws {
        do {
            self = try JSONDecoder().decode(Self.self, from: JSONEncoder().encode(payload))
        } catch {
            throw ProtocolError.invalidPayload(type: "command", reason: "a session command needs a string 'sessionId' (\(error))")
        }
    }
}
