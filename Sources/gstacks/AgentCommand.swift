import ArgumentParser
import Foundation
import GlobalStacksAgent
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Logging

/// `gstacks agent`: enroll this host into a cluster once (with a provisioning token), then stay connected to the
/// control plane. Every option can also come from a `GSTACKS_AGENT_…` environment variable.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run a GlobalStacks agent on this host (it dials out to the control plane)."
    )

    @Option(help: "The control plane's URL, e.g. http://127.0.0.1:8080. [GSTACKS_AGENT_URL]")
    var url: String?

    @Option(help: "Provisioning token (gsp_…), needed only to enroll; prefer the environment variable. [GSTACKS_AGENT_TOKEN]")
    var token: String?

    @Option(help: "The agent's name in its cluster (default: the host name). [GSTACKS_AGENT_NAME]")
    var name: String?

    @Option(help: "Where the agent keeps its own key (default ~/.config/gstacks/agent.json, mode 0600). [GSTACKS_AGENT_CREDENTIALS]")
    var credentialsFile: String?

    @Option(help: "Region used for placement. [GSTACKS_AGENT_REGION]")
    var region: String?

    @Option(help: "Sandboxes this host may run at once.")
    var maxSessions: Int = 8

    @Option(help: "CPU offered to sandboxes, as a Kubernetes quantity (default: all cores).")
    var cpu: String?

    @Option(help: "Memory offered to sandboxes, as a Kubernetes quantity.")
    var memory: String = "4Gi"

    @Option(help: "Seconds between heartbeats.")
    var heartbeatInterval: Double = 10

    @Option(help: "Replace the agent's key when it is older than this many days; 0 never.")
    var rotateKeyDays: Double = 30

    @Option(help: "What runs sandboxes: process (real processes, in bubblewrap when installed) or noop (nothing; for benchmarks).")
    var driver: String = "process"

    @Option(name: .customLong("capability"), help: "A capability this host offers beyond those detected (process, extensions.runtime), e.g. extensions.python; repeat for several. Announced when the agent enrolls.")
    var extraCapabilities: [String] = []

    @Flag(help: "Without bubblewrap, run sandboxes as plain processes of this agent's user (NOT isolated); refused otherwise.")
    var allowUnconfined = false

    @Flag(help: "Let extensions' declared egress hosts resolve to loopback or link-local addresses (for tests against a local server; otherwise refused, so no extension reaches this host's own services).")
    var allowLoopbackEgress = false

    @Option(help: "Where sandboxes get their private directories (default: 'sandboxes' beside the credentials file). [GSTACKS_AGENT_SANDBOX_DIR]")
    var sandboxDir: String?

    @Option(help: "Where template builds get Debian's packages for debootstrap (default: http://deb.debian.org/debian). [GSTACKS_AGENT_DEBIAN_MIRROR]")
    var debianMirror: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error. [GSTACKS_LOG_LEVEL]")
    var logLevel: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        func setting(_ flag: String?, _ name: String) -> String? { flag ?? environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let urlText = setting(url, "GSTACKS_AGENT_URL"), let serverURL = URL(string: urlText),
              let scheme = serverURL.scheme?.lowercased(), ["http", "https"].contains(scheme), serverURL.host != nil
        else {
            throw ValidationError("Give the control plane's http:// or https:// URL with --url (or GSTACKS_AGENT_URL).")
        }
        guard (0.5...300).contains(heartbeatInterval) else { throw ValidationError("--heartbeat-interval must be 0.5 to 300 seconds.") }
        let home = FileManager.default.homeDirectoryForCurrentUser
        let credentials = setting(credentialsFile, "GSTACKS_AGENT_CREDENTIALS").map { URL(fileURLWithPath: $0) }
            ?? home.appendingPathComponent(".config/gstacks/agent.json")
        var settings = AgentSettings(
            serverURL: serverURL, provisioningToken: setting(token, "GSTACKS_AGENT_TOKEN"), credentialsFile: credentials,
            name: setting(name, "GSTACKS_AGENT_NAME") ?? Agent.defaultName(hostName: ProcessInfo.processInfo.hostName)
        )
        settings.region = setting(region, "GSTACKS_AGENT_REGION")
        settings.capacity = CapacityPayload(maxSessions: maxSessions, cpu: cpu ?? "\(ProcessInfo.processInfo.activeProcessorCount)", memory: memory)
        settings.heartbeatInterval = heartbeatInterval
        guard rotateKeyDays >= 0 else { throw ValidationError("--rotate-key-days must be 0 or more.") }
        settings.keyRotationInterval = rotateKeyDays > 0 ? rotateKeyDays * 86_400 : nil
        guard let driverKind = AgentSettings.DriverKind(rawValue: driver) else {
            throw ValidationError("--driver must be one of \(AgentSettings.DriverKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        settings.driver = driverKind
        settings.allowUnconfined = allowUnconfined
        if let directory = setting(sandboxDir, "GSTACKS_AGENT_SANDBOX_DIR") {
            settings.sandboxDirectory = URL(fileURLWithPath: directory)
            settings.extensionsDirectory = URL(fileURLWithPath: directory).deletingLastPathComponent().appendingPathComponent("extensions")
            settings.servicesDirectory = URL(fileURLWithPath: directory).deletingLastPathComponent().appendingPathComponent("data-plane")
            settings.templatesDirectory = URL(fileURLWithPath: directory).deletingLastPathComponent().appendingPathComponent("templates")
        }
        if let mirror = setting(debianMirror, "GSTACKS_AGENT_DEBIAN_MIRROR") {
            guard let url = URL(string: mirror), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw ValidationError("--debian-mirror must be an http:// or https:// URL of a Debian archive.")
            }
            settings.debianMirror = mirror
        }
        settings.allowLoopbackEgress = allowLoopbackEgress
        guard extraCapabilities.count <= 16, extraCapabilities.allSatisfy({ (1...64).contains($0.count) && $0.allSatisfy { $0.isLetter || $0.isNumber || ".-_".contains($0) } }) else {
            throw ValidationError("--capability takes up to 16 names of letters, digits, '.', '-' and '_' (at most 64 characters each).")
        }
        settings.capabilities += extraCapabilities
        let level = setting(logLevel, "GSTACKS_LOG_LEVEL") ?? "info"
        guard let logLevel = Logger.Level(rawValue: level) else { throw ValidationError("Unknown log level '\(level)'.") }
        var logger = Logger(label: "gstacks.agent")
        logger.logLevel = logLevel
        try await AgentRuntime(settings: settings, logger: logger).run()
    }
}
