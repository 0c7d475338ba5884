import Foundation
import GlobalStacksAgentProtocol

/// What `gstacks agent` is told on its command line.
public struct AgentSettings: Sendable {
    /// The control plane, e.g. `http://127.0.0.1:8080`.
    public var serverURL: URL
    /// A provisioning token (`gsp_…`); needed only until the agent has its own key.
    public var provisioningToken: String?
    /// Where the agent keeps its own key (created with mode 0600).
    public var credentialsFile: URL
    public var name: String
    public var platform = "process"
    public var region: String?
    public var capacity: CapacityPayload?
    public var capabilities: [String] = ["process"]
    public var heartbeatInterval: TimeInterval = 10
    /// The agent replaces its key when the key file is older than this (nil: never).
    public var keyRotationInterval: TimeInterval? = 30 * 86_400
    /// What runs sandboxes: `process` (real processes) or `noop` (nothing; for measuring dispatch).
    public var driver: DriverKind = .process
    /// Run sandboxes as plain processes when bubblewrap is missing (otherwise the process driver refuses).
    public var allowUnconfined = false
    /// Where sandboxes get their private directories (process driver).
    public var sandboxDirectory: URL
    /// Where extension artifacts are cached and invocations get their workspaces (process driver, bubblewrap).
    public var extensionsDirectory: URL
    /// Where templates' roots (`roots/<digest>`), build layers (`layers/<key>`) and builds' scratch directories are
    /// kept (process driver, bubblewrap). On the same filesystem throughout (layers are renamed into place).
    public var templatesDirectory: URL
    /// Where template builds get Debian's packages (debootstrap of a `FROM` Debian release).
    public var debianMirror = BuildTemplatePayload.defaultDebianMirror
    /// Where data-plane services keep their specs, output, data and socket directories (`ServiceDirectories`).
    public var servicesDirectory: URL
    /// Let extensions' declared hosts resolve to loopback or link-local addresses (tests with a local server only:
    /// otherwise the egress proxy refuses them, so no extension reaches this host's own services).
    public var allowLoopbackEgress = false
    /// First reconnect delay; doubled per failed attempt up to `maximumBackoff`, with full jitter.
    public var initialBackoff: TimeInterval = 1
    public var maximumBackoff: TimeInterval = 60

    public init(serverURL: URL, provisioningToken: String?, credentialsFile: URL, name: String) {
        self.serverURL = serverURL
        self.provisioningToken = provisioningToken
        self.credentialsFile = credentialsFile
        self.name = name
        self.sandboxDirectory = credentialsFile.deletingLastPathComponent().appendingPathComponent("sandboxes")
        self.extensionsDirectory = credentialsFile.deletingLastPathComponent().appendingPathComponent("extensions")
        self.servicesDirectory = credentialsFile.deletingLastPathComponent().appendingPathComponent("data-plane")
        self.templatesDirectory = credentialsFile.deletingLastPathComponent().appendingPathComponent("templates")
    }

    /// The capabilities this agent announces when it enrolls: `extensions.runtime` when it can run extensions,
    /// `templates.build` when it can build templates.
    public var announcedCapabilities: [String] {
        guard driver == .process else { return capabilities }
        return capabilities + (ExtensionRunner.isAvailable ? [InvokeExtensionPayload.runtimeCapability] : [])
            + (TemplateBuilder.isAvailable ? [BuildTemplatePayload.buildCapability] : [])
    }

    /// The address of one control-plane route, under the server URL's own path (a control plane behind a
    /// proxy at `https://host/gstacks` keeps its prefix); `webSocket` turns http(s) into ws(s).
    func endpoint(_ path: String, webSocket: Bool = false) -> URL {
        let url = serverURL.appendingPathComponent(path)
        guard webSocket, var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url }
        components.scheme = serverURL.scheme?.lowercased() == "https" ? "wss" : "ws"
        return components.url ?? url
    }

    public enum DriverKind: String, Sendable, CaseIterable {
        case process, noop
    }
}
