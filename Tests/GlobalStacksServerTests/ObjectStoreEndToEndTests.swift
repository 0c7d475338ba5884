import Foundation
import GlobalStacksTestSupport
import Testing

/// Object stores end to end: the S3 example extension published and installed through the API with a moto server's
/// endpoint and key as its settings and secret, stores created, verified and deleted through the public operations
/// by a real agent running the extension, and the buckets checked with boto3.
@Suite("Object stores end to end", .serialized, .enabled(if: TemporaryS3.isAvailable, Comment(rawValue: TemporaryS3.skipNote)))
struct ObjectStoreEndToEndTests {
    struct Setup {
        let installation: SandboxEndToEndTests.Installation
        let api: LiveHTTP
        let s3: TemporaryS3
    }

    static func setUp(_ engine: TestEngine) async throws -> Setup {
        let s3 = try TemporaryS3()
        let port = try #require(s3.endpoint.port)
        // The extension reaches moto on loopback only because this agent is told it may.
        let installation = try await SandboxEndToEndTests.Installation.start(engine, agentArguments: ["--allow-loopback-egress"])
        let api = try await LiveHTTP.signIn(installation.server)
        try await api.activateTenant(slug: "prod")
        let example = try await ExampleExtension.publish(api, example: "s3-object-store", egress: ["localhost:\(port)"])
        try await example.install(api, settings: """
            {"endpoint":"http://localhost:\(port)","region":"\(s3.region)","accessKeyId":"\(s3.accessKeyID)","secretAccessKey":"\(s3.secretAccessKey)"}
            """)
        return Setup(installation: installation, api: api, s3: s3)
    }

    /// The store once it left `provisioning` (≤ 60 s).
    static func settled(_ api: LiveHTTP, _ id: String, leaving state: String = "provisioning") async throws -> [String: Any] {
        for _ in 0..<240 {
            let store = try await api.ok("GET", "/v1/object-stores/\(id)")
            if store["status"] as? String != state { return store }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("object store \(id) stayed \(state)")
        return [:]
    }

    @Test(.enabled(if: BrokerTests.enabled, "needs the built gstacks, bubblewrap and root"), arguments: TestEngine.available)
    func storesAreCreatedVerifiedAndDeletedOnTheirBucket(_ engine: TestEngine) async throws {
        let setup = try await Self.setUp(engine)
        let api = setup.api, s3 = setup.s3
        let created = try await api.json("POST", "/v1/object-stores", """
            {"providerKey":"example.s3-object-store","purpose":"volume_data","hostedMode":"customer_managed","bucket":"gs-volumes","prefix":"team-a/"}
            """)
        try #require(created.status == 201, "\(created.status) \(created.message)")
        #expect(created.json["status"] as? String == "provisioning" && created.json["prefix"] as? String == "team-a")
        #expect(created.json["credentialRef"] as? String == "install:example.s3-object-store#secrets")
        #expect(!String(decoding: created.body, as: UTF8.self).contains(s3.secretAccessKey), "the secret is never returned")
        let id = try #require(created.json["id"] as? String)
        let ready = try await Self.settled(api, id)
        #expect(ready["status"] as? String == "ready", "\(ready)")
        #expect(ready["endpoint"] as? String == "http://localhost:\(try #require(s3.endpoint.port))", "\(ready)")
        #expect(try ObjectStoreEndToEndTests.keys(s3, "gs-volumes") == ["team-a/.globalstacks-object-store"])
        let listed = try await api.ok("GET", "/v1/object-stores")
        #expect((listed["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])

        // The same bucket and prefix twice is refused; an external bucket that does not exist fails with S3's reason.
        let again = try await api.json("POST", "/v1/object-stores", #"{"providerKey":"example.s3-object-store","purpose":"logs","hostedMode":"customer_managed","bucket":"gs-volumes","prefix":"team-a"}"#)
        #expect(again.status == 409, "\(again.status) \(again.message)")
        let missing = try await api.ok("POST", "/v1/object-stores", #"{"providerKey":"example.s3-object-store","purpose":"logs","bucket":"not-there"}"#)
        #expect(missing["hostedMode"] as? String == "external")
        let failed = try await Self.settled(api, try #require(missing["id"] as? String))
        #expect(failed["status"] as? String == "failed" && "\((failed["metadata"] as? [String: Any])?["statusReason"] ?? "")".contains("not-there"), "\(failed)")
        #expect(try ObjectStoreEndToEndTests.keys(s3, "not-there") == ["<no bucket>"], "an external bucket is never created")

        // Refusals: an unknown provider, a bad bucket name, another tenant's id.
        #expect(try await api.json("POST", "/v1/object-stores", #"{"providerKey":"acme.nothing","purpose":"logs","bucket":"gs-x"}"#).status == 404)
        #expect(try await api.json("POST", "/v1/object-stores", #"{"providerKey":"example.s3-object-store","purpose":"logs","bucket":"Bad_Name"}"#).status == 400)
        #expect(try await api.call("GET", "/v1/object-stores/\(UUID().uuidString)").status == 404)

        // Deleting the store it created removes its objects and its bucket.
        let deleting = try await api.ok("DELETE", "/v1/object-stores/\(id)")
        #expect(deleting["id"] as? String == id)
        let deleted = try await Self.settled(api, id, leaving: "ready")
        #expect(deleted["status"] as? String == "deleted", "\(deleted)")
        #expect(try ObjectStoreEndToEndTests.keys(s3, "gs-volumes") == ["<no bucket>"])
    }

    static func keys(_ s3: TemporaryS3, _ bucket: String) throws -> [String] {
        try S3ObjectStoreExtensionTests.keys(s3, bucket)
    }
}
