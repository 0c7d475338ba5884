import AsyncHTTPClient
import Crypto
import Foundation
import GlobalStacksAgentProtocol
import Logging
import NIOCore
import NIOHTTP1

/// Extension artifacts on this agent, by digest: fetched from the control plane with the invocation's credential,
/// checked (SHA-256 of the bytes, the publisher's Ed25519 signature) before anything of them runs, unpacked inside a
/// sandbox (a tar archive, gzip or not), and kept under `<root>/<hex>` for the next invocation of the same digest.
/// The signature is checked again on every invocation (it is over the manifest and artifact digests together, and
/// two releases may share an artifact).
actor ArtifactCache {
    static let maximumArtifactBytes = 64 << 20

    private let root: URL
    private let serverURL: URL
    private let isolation: SandboxIsolation
    private let logger: Logger
    /// Fetches under way, so that concurrent invocations of one digest fetch it once.
    private var fetching: [String: Task<URL, any Error>] = [:]

    init(root: URL, serverURL: URL, isolation: SandboxIsolation, logger: Logger) throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        self.root = root
        self.serverURL = serverURL
        self.isolation = isolation
        self.logger = logger
    }

    /// The unpacked artifact's directory, and whether it was cached already.
    func prepare(_ payload: InvokeExtensionPayload) async throws -> (directory: URL, cached: Bool) {
        try Self.verifySignature(payload)
        guard let hex = Self.hex(of: payload.artifactDigest) else {
            throw DriverError("artifactDigest must be sha256:<64 hex digits>.", kind: .invalidInput)
        }
        let directory = root.appendingPathComponent(hex)
        if FileManager.default.fileExists(atPath: directory.path) { return (directory, true) }
        if let task = fetching[hex] { return (try await task.value, false) }
        let task = Task { try await self.fetch(payload, hex: hex, into: directory) }
        fetching[hex] = task
        defer { fetching[hex] = nil }
        return (try await task.value, false)
    }

    static func verifySignature(_ payload: InvokeExtensionPayload) throws {
        guard let key = Data(base64Encoded: payload.publicKey), let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key),
              let signature = Data(base64Encoded: payload.signature)
        else { throw DriverError("The release's public key or signature is not valid base64 Ed25519.", kind: .invalidInput) }
        let message = Data("globalstacks.release.v1\n\(payload.manifestDigest)\n\(payload.artifactDigest)\n".utf8)
        guard publicKey.isValidSignature(signature, for: message) else {
            throw DriverError("The publisher's signature does not verify over this release's digests; nothing was run.", kind: .conflict)
        }
    }

    static func hex(of digest: String) -> String? {
        guard digest.hasPrefix("sha256:") else { return nil }
        let hex = digest.dropFirst(7)
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return String(hex)
    }

    private func fetch(_ payload: InvokeExtensionPayload, hex: String, into directory: URL) async throws -> URL {
        let staging = root.appendingPathComponent(".staging-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: staging) }
        let archive = staging.appendingPathComponent("artifact")
        try await download(payload, to: archive, expecting: hex)
        // Unpacked by tar inside a sandbox of its own: a hostile archive (absolute names, `..`, links out) can write
        // only into the staging directory.
        let tree = staging.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: false)
        let argv = isolation.argv(
            ["/bin/tar", "-x", "--no-same-owner", "-f", isolation.workspacePath(hostDirectory: staging) + "/artifact", "-C", isolation.workspacePath(hostDirectory: staging) + "/tree"],
            workspace: staging, network: false, environment: ["PATH": "/usr/bin:/bin"], newSession: false
        )
        let (status, stderr) = try await ConfinedProcess.run(argv)
        guard status == 0 else {
            throw DriverError("The artifact is not a tar archive this agent can unpack: \(stderr.prefix(500))", kind: .invalidInput)
        }
        do {
            try FileManager.default.moveItem(at: tree, to: directory)
        } catch where FileManager.default.fileExists(atPath: directory.path) {
            // Another agent process sharing the directory got there first: the same verified bytes.
        }
        logger.info("Extension artifact fetched and verified", metadata: ["digest": "\(payload.artifactDigest)", "extension": "\(payload.extensionKey)"])
        return directory
    }

    private func download(_ payload: InvokeExtensionPayload, to file: URL, expecting hex: String) async throws {
        var request = HTTPClientRequest(url: serverURL.appendingPathComponent(payload.artifactPath).absoluteString)
        request.headers.add(name: "Authorization", value: "Bearer \(payload.artifactToken)")
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        } catch {
            throw DriverError("Fetching the artifact from the control plane failed: \(error)")
        }
        guard response.status == .ok else {
            throw DriverError("The control plane refused the artifact (HTTP \(response.status.code)).")
        }
        guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: file.path)
        else { throw DriverError("Could not write the artifact under \(root.path).") }
        defer { try? handle.close() }
        var hash = SHA256()
        var total = 0
        for try await chunk in response.body {
            total += chunk.readableBytes
            guard total <= Self.maximumArtifactBytes else {
                throw DriverError("The artifact is larger than \(Self.maximumArtifactBytes) bytes.", kind: .tooLarge)
            }
            let bytes = Data(chunk.readableBytesView)
            hash.update(data: bytes)
            try handle.write(contentsOf: bytes)
        }
        let actual = hash.finalize().map { String(format: "%02x", $0) }.joined()
        guard actual == hex else {
            throw DriverError("The artifact's bytes hash to sha256:\(actual), not the release's sha256:\(hex); nothing was run.", kind: .conflict)
        }
    }
}

/// A short helper process run to its end (unpacking an artifact): its exit status and the start of its stderr.
enum ConfinedProcess {
    static func run(_ argv: [String]) async throws -> (status: Int32, stderr: String) {
        let errors = try ExecProcess.pipe()
        let pid: pid_t
        do {
            pid = try ProcessSpawn.spawn(argv, standard: [
                (0, .path("/dev/null", flags: O_RDONLY)), (1, .path("/dev/null", flags: O_WRONLY)), (2, .descriptor(errors.write)),
            ])
        } catch {
            close(errors.read)
            close(errors.write)
            throw error
        }
        close(errors.write)
        let stderr = PipeReader.start(errors.read, limit: 4_096, keepTail: false)
        let status = await withCheckedContinuation { continuation in
            ProcessSpawn.wait(for: pid) { continuation.resume(returning: $0) }
        }
        let text = String(decoding: await stderr.value.bytes, as: UTF8.self)
        return (ProcessSpawn.exitCode(status).map(Int32.init) ?? 128 + (ProcessSpawn.terminatingSignal(status) ?? 0), text)
    }
}
