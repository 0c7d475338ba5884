import Crypto
import Foundation
import NIOCore
@testable import GlobalStacksObjectStorage
import GlobalStacksTestSupport
import Testing

/// The S3 client against a local S3 server that checks signatures (moto), with boto3 as the reference client.
@Suite("S3 client", .enabled(if: TemporaryS3.isAvailable, Comment(rawValue: TemporaryS3.skipNote)))
struct S3ClientTests {
    static func client(_ s3: TemporaryS3, secret: String? = nil, keyID: String? = nil) throws -> S3Client {
        try S3Client(endpoint: s3.endpoint, region: s3.region,
                     credentials: S3Credentials(accessKeyID: keyID ?? s3.accessKeyID, secretAccessKey: secret ?? s3.secretAccessKey))
    }

    @Test func createsChecksAndDeletesABucket() async throws {
        let s3 = try TemporaryS3()
        let client = try Self.client(s3)
        #expect(try await client.bucketExists("gstacks-buckets") == false)
        try await client.createBucket("gstacks-buckets")
        #expect(try await client.bucketExists("gstacks-buckets"))
        #expect(try s3.boto3("print(argv[0] in [b['Name'] for b in s3.list_buckets()['Buckets']])", ["gstacks-buckets"]).contains("True"))
        try await client.deleteBucket("gstacks-buckets")
        #expect(try await client.bucketExists("gstacks-buckets") == false)
    }

    /// Keys with spaces, `+`, `%`, and non-ASCII characters are where SigV4's canonical URI goes wrong: each is stored
    /// under exactly its name (boto3 reads it back by that name) and listed by it.
    @Test func putsGetsHeadsAndDeletesObjectsWithAwkwardKeys() async throws {
        let s3 = try TemporaryS3()
        let client = try Self.client(s3)
        try await client.createBucket("gstacks-objects")
        let keys = ["plain.txt", "with space/and+plus & 100%.txt", "déjà vu/файл 名前 🚀.bin", "a/b/~tilde_(1)=x?y#z"]
        for (index, key) in keys.enumerated() {
            let bytes = Data("content \(index) of \(key)".utf8)
            try await client.putObject(bytes, bucket: "gstacks-objects", key: key)
            #expect(try await client.getObject(bucket: "gstacks-objects", key: key) == bytes)
            #expect(try s3.objectBytes(bucket: "gstacks-objects", key: key) == bytes, "boto3 finds \(key) under its own name")
            let head = try #require(try await client.headObject(bucket: "gstacks-objects", key: key))
            #expect(head.size == bytes.count)
            #expect(head.eTag == "\"\(Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined())\"")
        }
        #expect(try await client.listObjects(bucket: "gstacks-objects").map(\.key) == keys.sorted())
        try await client.deleteObject(bucket: "gstacks-objects", key: keys[2])
        #expect(try await client.getObject(bucket: "gstacks-objects", key: keys[2]) == nil)
        #expect(try await client.headObject(bucket: "gstacks-objects", key: keys[2]) == nil)
        #expect(try s3.objectBytes(bucket: "gstacks-objects", key: keys[2]) == nil)
        try await client.deleteObject(bucket: "gstacks-objects", key: "never-there")
    }

    @Test func listsUnderAPrefixPageByPage() async throws {
        let s3 = try TemporaryS3()
        let client = try Self.client(s3)
        try await client.createBucket("gstacks-listing")
        let inside = (1...5).map { "logs/2026/part \($0).txt" }
        for key in inside + ["logsbook.txt", "other/part 1.txt"] {
            try await client.putObject(Data(key.utf8), bucket: "gstacks-listing", key: key)
        }
        let first = try await client.listObjectsPage(bucket: "gstacks-listing", prefix: "logs/", maxKeys: 2)
        #expect(first.objects.map(\.key) == Array(inside.prefix(2)))
        let token = try #require(first.nextContinuationToken)
        let second = try await client.listObjectsPage(bucket: "gstacks-listing", prefix: "logs/", continuationToken: token, maxKeys: 2)
        #expect(second.objects.map(\.key) == Array(inside[2..<4]))
        let all = try await client.listObjects(bucket: "gstacks-listing", prefix: "logs/")
        #expect(all.map(\.key) == inside)
        #expect(all.map(\.size) == inside.map(\.utf8.count))
        #expect(try await client.listObjects(bucket: "gstacks-listing", prefix: "nothing/").isEmpty)
    }

    @Test func roundTripsALargeObject() async throws {
        let s3 = try TemporaryS3()
        let client = try Self.client(s3)
        try await client.createBucket("gstacks-large")
        var generator = SystemRandomNumberGenerator()
        let bytes = Data((0..<(8 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try await client.putObject(bytes, bucket: "gstacks-large", key: "eight mebibytes.bin")
        #expect(try await client.getObject(bucket: "gstacks-large", key: "eight mebibytes.bin") == bytes)
        let stored = try s3.boto3("""
        import hashlib
        print(hashlib.sha256(s3.get_object(Bucket="gstacks-large", Key="eight mebibytes.bin")["Body"].read()).hexdigest())
        """)
        #expect(stored.trimmingCharacters(in: .whitespacesAndNewlines) == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
    }

    @Test func refusalsCarryS3sCodeAndMessage() async throws {
        let s3 = try TemporaryS3()
        let client = try Self.client(s3)
        try await client.createBucket("gstacks-refusals")
        await #expect { try await Self.client(s3, secret: "not-the-secret").listObjects(bucket: "gstacks-refusals") } throws: {
            guard let error = $0 as? S3Error else { return false }
            return error.code == "SignatureDoesNotMatch" && error.status == 403 && error.message.contains("signature")
        }
        await #expect { try await Self.client(s3, keyID: "AKIANOSUCHKEY0000000").putObject(Data("x".utf8), bucket: "gstacks-refusals", key: "x") } throws: {
            ($0 as? S3Error)?.code == "InvalidAccessKeyId"
        }
        await #expect { try await client.getObject(bucket: "gstacks-missing", key: "x") } throws: {
            ($0 as? S3Error).map { $0.code == "NoSuchBucket" && $0.status == 404 } ?? false
        }
        await #expect { try await client.putObject(Data("x".utf8), bucket: "gstacks-missing", key: "x") } throws: {
            ($0 as? S3Error)?.code == "NoSuchBucket"
        }
        await #expect { try await client.listObjects(bucket: "gstacks-missing") } throws: { ($0 as? S3Error)?.code == "NoSuchBucket" }
        await #expect { try await client.deleteBucket("gstacks-missing") } throws: { ($0 as? S3Error)?.code == "NoSuchBucket" }
        try await client.putObject(Data("x".utf8), bucket: "gstacks-refusals", key: "x")
        await #expect { try await client.deleteBucket("gstacks-refusals") } throws: { ($0 as? S3Error)?.code == "BucketNotEmpty" }
    }
}

@Suite("S3 client without a server")
struct S3ClientOfflineTests {
    @Test func encodesKeysOnceForTheCanonicalURI() {
        #expect(S3Path.object("my-bucket", "déjà vu/a+b c~_-.txt") == "/my-bucket/d%C3%A9j%C3%A0%20vu/a%2Bb%20c~_-.txt")
        #expect(S3Path.encode("a/b=c&d", keepSlash: false) == "a%2Fb%3Dc%26d")
        #expect(S3Signer.canonicalQuery([("prefix", "a b/"), ("list-type", "2"), ("continuation-token", "x+y=")])
            == "continuation-token=x%2By%3D&list-type=2&prefix=a%20b%2F")
    }

    /// The signatures of the S3 documentation's examples ("Signature Calculations for the Authorization Header":
    /// GET Bucket lifecycle, GET Bucket (list objects)), and of a non-ASCII key on a loopback endpoint as botocore
    /// signs it.
    @Test(arguments: [
        ("examplebucket.s3.amazonaws.com", "/", [("lifecycle", "")], "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        ("examplebucket.s3.amazonaws.com", "/", [("max-keys", "2"), ("prefix", "J")], "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
        ("127.0.0.1:9000", S3Path.object("my-bucket", "déjà vu/a+b c.txt"), [], "c5c030c152468e6054c067e35de5aed5df46101a6fce0d94a057b27b8364214a"),
    ])
    func signsAsTheDocumentationDoes(host: String, path: String, query: [(String, String)], signature: String) {
        let signer = S3Signer(credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), region: "us-east-1")
        let headers = signer.headers(method: "GET", host: host, path: path, query: query, payload: Data(), at: Date(timeIntervalSince1970: 1_369_353_600))
        let authorization = headers.first { $0.0 == "authorization" }?.1 ?? ""
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=\(signature)")
    }

    @Test func readsTheXMLItNeeds() {
        let xml = "<Error><Code>NoSuchKey</Code><Message>The key &lt;a &amp; b&gt; &#233;&#x1F680; is &quot;gone&quot;</Message></Error>"
        #expect(S3XML.first("Code", in: xml) == "NoSuchKey")
        #expect(S3XML.first("Message", in: xml) == "The key <a & b> é🚀 is \"gone\"")
        #expect(S3Error.from(status: 403, body: "") == S3Error(status: 403, code: "Forbidden", message: ""))
    }

    @Test func anUnreachableEndpointIsAnError() async throws {
        var client = try S3Client(endpoint: URL(string: "http://127.0.0.1:1")!, credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"))
        // AsyncHTTPClient retries a refused connection until the request's deadline.
        client.timeout = .seconds(2)
        await #expect { try await client.bucketExists("anything") } throws: { ($0 as? S3Error)?.code == "Unreachable" }
        #expect(throws: S3Error.self) { try S3Client(endpoint: URL(string: "http://host/with/path")!, credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b")) }
        #expect(!"\(S3Credentials(accessKeyID: "AKIA", secretAccessKey: "very-secret"))".contains("very-secret"))
    }
}
