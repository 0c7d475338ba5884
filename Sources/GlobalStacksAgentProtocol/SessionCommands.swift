import Foundation

/// `start_session`: the contract's CreateSessionCommand plus `command` (what the process driver runs) and `network`.
public struct StartSessionPayload: Sendable, Equatable, Codable {
    public let sessionId: String
    public var user: String?
    public var template: String?
    /// `cpu`, `memory` (and `storage`) as Kubernetes quantities.
    public var resources: [String: String]?
    public var persistentHome: Bool?
    public var environment: [String: String]?
    public var command: [String]?
    public var network: Bool?
    /// The sandbox's tenant: it sees that tenant's data-plane services' socket directories (and no other tenant's)
    /// under `/run/globalstacks/data-plane/<serviceId>`.
    public var tenantId: String?
    /// The template whose root the sandbox starts from (read-only, with a writable layer of the sandbox's own over
    /// it, discarded with the sandbox); nil: the host's system directories, read-only, as before templates.
    public var rootTemplate: TemplateArtifact?
    /// Where the sandbox's main process starts (an absolute path inside it; the template's `WORKDIR`); nil: `/workspace`.
    public var workingDirectory: String?
    /// Run inside the sandbox until it exits 0 before the sandbox counts as started (the template's readiness check).
    public var readyCommand: [String]?

    public init(sessionId: String) {
        self.sessionId = sessionId
    }
}

/// `stop_session`, `hibernate_session`, `wake_session`: the sandbox and nothing else.
public struct SessionReference: Sendable, Equatable, Codable {
    public let sessionId: String

    public init(sessionId: String) {
        self.sessionId = sessionId
    }
}
