import Foundation
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import Testing

/// The `artifact_cache` purpose made real: a store created through the API on moto, the server restarted with it as
/// its artifact cache, an extension published (its manifest and artifact land in the bucket, not in the data
/// directory) and run by the agent, which fetches the artifact the server reads back from the bucket.
@Suite("Artifact cache end to end", .serialized, .enabled(if: TemporaryS3.isAvailable, Comment(rawValue: TemporaryS3.skipNote)))
struct ArtifactCacheEndToEndTests {
    @Test(.enabled(if: BrokerTests.enabled, "needs the built gstacks, bubblewrap and root"), arguments: TestEngine.available)
    func extensionContentIsStoredInAndServedFromTheArtifactCache(_ engine: TestEngine) async throws {
        let setup = try await ObjectStoreEndToEndTests.setUp(engine)
        let api = setup.api, installation = setup.installation, s3 = setup.s3
        let created = try await api.ok("POST", "/v1/object-stores", """
            {"providerKey":"example.s3-object-store","purpose":"artifact_cache","hostedMode":"customer_managed","bucket":"gs-artifacts","prefix":"marketplace"}
            """)
        let id = try #require(created["id"] as? String)
        #expect(try await ObjectStoreEndToEndTests.settled(api, id)["status"] as? String == "ready")

        // The same server, restarted with the store as its artifact cache (the agent reconnects by itself).
        let port = installation.server.port
        try await installation.server.stop(signal: SIGTERM)
        let relay = engine == .postgres ? ["--relay-url", "http://127.0.0.1:\(port)"] : []
        let server = try await ServerProcess(installation.flags + relay + ["--artifact-cache-store", id], environment: LifecycleTests.admin, port: port)

        let example = try await ExampleExtension.publish(api, egress: ["localhost:1"])
        try await example.install(api, settings: #"{"endpoint":"http://localhost:1","label":"cached","token":"t"}"#)
        let keys = try S3ObjectStoreExtensionTests.keys(s3, "gs-artifacts")
        for digest in [example.manifestDigest, example.artifactDigest] {
            #expect(keys.contains("marketplace/content/\(digest)"), "\(digest) in the bucket: \(keys)")
            let hex = String(digest.dropFirst("sha256:".count))
            let data = try #require(installation.flags.firstIndex(of: "--data-dir").map { installation.flags[$0 + 1] })
            let files = FileManager.default.subpaths(atPath: data + "/extension-content") ?? []
            #expect(!files.contains { $0.contains(hex) }, "not in the data directory: \(files)")
        }

        // The agent fetches the artifact from the server, which reads it from the bucket.
        let cluster = try #require(try await installation.api.clusters().first { $0.name == "Rack" }?.id)
        var reply = try await BrokerTests.invoke(api, "echo", #"{"hello":"cache"}"#, targetID: cluster)
        for _ in 0..<60 where reply.status != 200 {
            try await Task.sleep(for: .milliseconds(500))
            reply = try await BrokerTests.invoke(api, "echo", #"{"hello":"cache"}"#, targetID: cluster)
        }
        #expect(reply.status == 200 && (reply.json["outputs"] as? [String: Any])?["echo"] as? [String: String] == ["hello": "cache"], "\(reply.status) \(reply.message)")
        try await server.stop(signal: SIGTERM)
    }
}
