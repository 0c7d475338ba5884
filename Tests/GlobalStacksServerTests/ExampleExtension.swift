import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GlobalStacksClient
import Testing

/// An example extension shipped in `examples/extensions/` (Python; `http-probe` unless named), packed and published
/// through the API the way a publisher would: content uploaded by digest, signed, submitted, reviewed and published.
struct ExampleExtension {
    static let key = "example.http-probe"
    static let directory = ContractTests.repository.appendingPathComponent("examples/extensions/http-probe")

    let key: String
    let releaseID: String
    let manifestDigest: String
    let artifactDigest: String
    let signer: Curve25519.Signing.PrivateKey
    let keyID: String
    let appID: String

    /// `egress` replaces the manifest's declared hosts (tests point it at a local server).
    static func publish(_ api: LiveHTTP, example: String = "http-probe", egress: [String]? = nil, version: String = "1.0.0") async throws -> ExampleExtension {
        let directory = ContractTests.repository.appendingPathComponent("examples/extensions/\(example)")
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("extension.json"))) as? [String: Any])
        if let egress { manifest["egress"] = egress }
        manifest["version"] = version
        let key = try #require(manifest["key"] as? String), name = try #require(manifest["name"] as? String)
        let manifestBytes = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
        let artifact = try pack(directory)
        let manifestDigest = ContentAddress.of(manifestBytes)
        let artifactDigest = ContentAddress.of(artifact)

        let app = try #require(try await api.ok("POST", "/v1/developer/apps", """
            {"name":"Examples","publisherName":"GlobalStacks examples","supportUrl":"https://e.example/s","termsUrl":"https://e.example/t","privacyUrl":"https://e.example/p"}
            """)["id"] as? String)
        let signer = Curve25519.Signing.PrivateKey()
        let keyID = try #require(try await api.ok("POST", "/v1/developer/apps/\(app)/keys",
                                                  #"{"name":"release","publicKey":"\#(signer.publicKey.rawRepresentation.base64EncodedString())"}"#)["id"] as? String)
        let package = try #require(try await api.ok("POST", "/v1/developer/apps/\(app)/packages", #"{"extensionKey":"\#(key)","name":"\#(name)"}"#)["id"] as? String)
        for (bytes, digest, kind) in [(manifestBytes, manifestDigest, "manifest"), (artifact, artifactDigest, "artifact")] {
            let reply = try await api.call("PUT", "/v1/extension-content/\(digest)?kind=\(kind)", bytes, contentType: "application/octet-stream")
            try #require(reply.status == 201, "upload \(kind): \(reply.status) \(reply.message)")
        }
        try await api.ok("POST", "/v1/developer/packages/\(package)/signatures", """
            {"manifestDigest":"\(manifestDigest)","artifactDigest":"\(artifactDigest)","keyId":"\(keyID)","signature":"\(Release.sign(signer, manifest: manifestDigest, artifact: artifactDigest))"}
            """)
        let release = try #require(try await api.ok("POST", "/v1/developer/packages/\(package)/releases", """
            {"version":"\(version)","manifestDigest":"\(manifestDigest)","artifactDigest":"\(artifactDigest)"}
            """)["id"] as? String)
        try await api.ok("POST", "/v1/developer/releases/\(release)/moves", #"{"to":"submitted"}"#)
        try await api.ok("POST", "/v1/marketplace/releases/\(release)/decisions", #"{"to":"approved"}"#)
        try await api.ok("POST", "/v1/marketplace/releases/\(release)/decisions", #"{"to":"published"}"#)
        return ExampleExtension(key: key, releaseID: release, manifestDigest: manifestDigest, artifactDigest: artifactDigest, signer: signer, keyID: keyID, appID: app)
    }

    /// Installs it in the caller's active tenant with `settings` (JSON).
    func install(_ api: LiveHTTP, settings: String) async throws {
        try await api.ok("POST", "/v1/integration-installs/\(key)",
                         #"{"manifest_digest":"\#(manifestDigest)","artifact_digest":"\#(artifactDigest)","settings":\#(settings)}"#)
    }

    /// The artifact: a gzip tar archive of the example's directory (its entrypoint keeps its executable bit).
    static func pack(_ directory: URL = directory) throws -> Data {
        let archive = FileManager.default.temporaryDirectory.appendingPathComponent("example-\(UUID().uuidString).tar.gz")
        defer { try? FileManager.default.removeItem(at: archive) }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["--sort=name", "--owner=0", "--group=0", "--mtime=@0", "-czf", archive.path, "-C", directory.path, "main.py", "extension.json"]
        try tar.run()
        tar.waitUntilExit()
        try #require(tar.terminationStatus == 0, "tar packed the example")
        return try Data(contentsOf: archive)
    }
}

/// A local HTTP server (Python's) that answers every GET with what it was sent: the path and the Authorization
/// header. The declared egress host of the example extension in tests.
final class EchoHTTPServer: @unchecked Sendable {
    let process = Process()
    let port: Int

    init() throws {
        port = ServerProcess.freePort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", """
            import http.server, sys
            class Echo(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = ("path=%s token=%s" % (self.path, self.headers.get("Authorization", "-"))).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
            """, "\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Waits (≤ 15 s, a loaded machine starts Python slowly) until it accepts connections.
    func ready() async throws {
        for _ in 0..<300 {
            if let (_, response) = try? await ServerProcess.session.data(from: URL(string: "http://127.0.0.1:\(port)/")!), (response as? HTTPURLResponse)?.statusCode == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the echo server did not start")
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
