import Foundation
import GlobalStacksDomain

// Additions to the agent contract: the broker. `invoke_extension` is a workspace command (sent while the
// invocation's run waits, never stored): the agent fetches the release's artifact by digest, verifies it, and runs
// its entrypoint once in a fresh sandbox of its own (docs/broker.md).

/// `invoke_extension`: run one operation of an installed extension.
public struct InvokeExtensionPayload: Sendable, Equatable, Codable {
    /// The invocation's id (its operation run, `run-<id>`): the sandbox it runs in is named after it.
    public let invocationId: String
    public let extensionKey: String
    public let manifestDigest: String
    public let artifactDigest: String
    /// The publisher's Ed25519 signature (base64) over `globalstacks.release.v1\n<manifest>\n<artifact>\n`, and the
    /// raw public key (base64) it verifies with: the agent checks both before anything of the artifact runs.
    public let signature: String
    public let publicKey: String
    /// Where the artifact is fetched, relative to the control plane's URL, and the credential for that digest and
    /// this invocation only (sent as a bearer token).
    public let artifactPath: String
    public let artifactToken: String
    /// The file to run, relative to the artifact's root.
    public let entrypoint: String
    /// The `globalstacks.broker.v1` request document, written to the entrypoint's stdin.
    public let request: String
    /// The whole environment of the entrypoint (settings, granted secrets, the invocation's API access).
    public var environment: [String: String]
    /// `host:port` pairs the sandbox may reach through the agent's egress proxy; nothing else.
    public var egress: [String]
    public var timeoutSeconds: Double
    /// stdout beyond this ends the run as failed (stderr is kept to the same size, its tail).
    public var outputLimitBytes: Int
    public var cpu: String?
    public var memory: String?
    /// The invocation's API credential, when its release was granted permissions: the agent adds the control plane's
    /// address (`GLOBALSTACKS_API_URL`) and this (`GLOBALSTACKS_API_TOKEN`) to the environment, and its egress proxy
    /// admits that address besides the declared hosts.
    public var apiToken: String?

    public init(
        invocationId: String, extensionKey: String, manifestDigest: String, artifactDigest: String, signature: String, publicKey: String,
        artifactPath: String, artifactToken: String, entrypoint: String, request: String, environment: [String: String], egress: [String],
        timeoutSeconds: Double, outputLimitBytes: Int, cpu: String?, memory: String?
    ) {
        self.invocationId = invocationId
        self.extensionKey = extensionKey
        self.manifestDigest = manifestDigest
        self.artifactDigest = artifactDigest
        self.signature = signature
        self.publicKey = publicKey
        self.artifactPath = artifactPath
        self.artifactToken = artifactToken
        self.entrypoint = entrypoint
        self.request = request
        self.environment = environment
        self.egress = egress
        self.timeoutSeconds = timeoutSeconds
        self.outputLimitBytes = outputLimitBytes
        self.cpu = cpu
        self.memory = memory
    }

    /// The agent capability that says an agent runs extensions (bubblewrap present, the process driver).
    public static let runtimeCapability = BrokerInvocation.runtimeCapability
    /// The most stdout an answer may carry back (base64 in one agent message, beside the stderr tail).
    public static let maximumOutputBytes = 128 << 10
    /// How much of the end of stderr comes back.
    public static let stderrTailBytes = 8 << 10
}

/// The result of `invoke_extension`: what the entrypoint wrote and how it ended.
public struct InvokeExtensionResult: Sendable, Equatable, Codable {
    public var exitCode: Int?
    public var signal: String?
    public var timedOut: Bool
    public var stdout: Data
    public var stdoutTruncated: Bool
    /// The last bytes of stderr.
    public var stderrTail: Data
    /// The artifact was already in this agent's cache (verified when it was fetched).
    public var cached: Bool
    public var durationMilliseconds: Int

    public init(exitCode: Int?, signal: String?, timedOut: Bool, stdout: Data, stdoutTruncated: Bool, stderrTail: Data, cached: Bool, durationMilliseconds: Int) {
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.stdout = stdout
        self.stdoutTruncated = stdoutTruncated
        self.stderrTail = stderrTail
        self.cached = cached
        self.durationMilliseconds = durationMilliseconds
    }
}
