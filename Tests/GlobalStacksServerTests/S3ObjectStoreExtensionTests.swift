import Foundation
import GlobalStacksTestSupport
import Testing

/// The S3 object-store extension (`examples/extensions/s3-object-store`) run as the broker runs an entrypoint: the
/// request on stdin, settings and secrets in GLOBALSTACKS_SETTINGS / GLOBALSTACKS_SECRETS, nothing else in the
/// environment, the system's python3 (no boto3: it signs with the standard library), against a local S3 server that
/// checks signatures; boto3 checks what is in the bucket.
@Suite("S3 object-store extension", .enabled(if: TemporaryS3.isAvailable, Comment(rawValue: TemporaryS3.skipNote)))
struct S3ObjectStoreExtensionTests {
    static let entrypoint = ContractTests.repository.appendingPathComponent("examples/extensions/s3-object-store/main.py").path

    struct Answer {
        let status: Int32
        let document: [String: Any]
        let output: String

        var outputs: [String: Any] { document["outputs"] as? [String: Any] ?? [:] }
        var error: String { document["error"] as? String ?? "" }
    }

    /// Runs the extension on a thread of its own: waiting for it blocks its thread, and the suites share two.
    static func invoke(
        _ s3: TemporaryS3, _ operation: String, _ input: String, secret: String? = nil, endpoint: String? = nil, proxy: String? = nil
    ) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try invokeWaiting(s3, operation, input, secret: secret, endpoint: endpoint, proxy: proxy) })
            }.start()
        }
    }

    private static func invokeWaiting(
        _ s3: TemporaryS3, _ operation: String, _ input: String, secret: String?, endpoint: String?, proxy: String?
    ) throws -> Answer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", entrypoint]
        process.environment = [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": FileManager.default.temporaryDirectory.path,
            "GLOBALSTACKS_BROKER_PROTOCOL": "globalstacks.broker.v1",
            "GLOBALSTACKS_INVOCATION_ID": "run-1",
            "GLOBALSTACKS_EXTENSION_KEY": "example.s3-object-store",
            "GLOBALSTACKS_SETTINGS": #"{"endpoint":"\#(endpoint ?? s3.endpoint.absoluteString)","region":"\#(s3.region)","accessKeyId":"\#(s3.accessKeyID)"}"#,
            "GLOBALSTACKS_SECRETS": #"{"secretAccessKey":"\#(secret ?? s3.secretAccessKey)"}"#,
        ].merging(proxy.map { ["HTTP_PROXY": $0, "HTTPS_PROXY": $0, "http_proxy": $0, "https_proxy": $0] } ?? [:]) { $1 }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data("""
            {"protocol":"globalstacks.broker.v1","invocationId":"run-1","extension":{"key":"example.s3-object-store","version":"1.0.0"},
             "operation":"\(operation)","target":{"kind":"cluster","id":"cluster-1"},"tenantId":"tenant-1","input":\(input)}
            """.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let document = (try? JSONSerialization.jsonObject(with: out)) as? [String: Any] ?? [:]
        return Answer(status: process.terminationStatus, document: document, output: String(decoding: out + err, as: UTF8.self))
    }

    static func keys(_ s3: TemporaryS3, _ bucket: String) throws -> [String] {
        try s3.boto3("""
        import json
        names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        print(json.dumps(sorted(o["Key"] for o in s3.list_objects_v2(Bucket=argv[0]).get("Contents", [])) if argv[0] in names else None))
        """, [bucket]).split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String] }.first ?? ["<no bucket>"]
    }

    @Test func provisionsVerifiesAndDeletesAStore() async throws {
        let s3 = try TemporaryS3()
        let store = #"{"bucket":"tenant-data","prefix":"/stores/one/","hostedMode":"external"}"#

        let external = try await Self.invoke(s3, "provision", store)
        #expect(external.status != 0)
        #expect(external.error.contains("'tenant-data' does not exist"), "\(external.output)")
        #expect(try Self.keys(s3, "tenant-data") == ["<no bucket>"], "an external store's bucket is never created")

        let managed = try await Self.invoke(s3, "provision", store.replacingOccurrences(of: "external", with: "customer_managed"))
        #expect(managed.status == 0, "\(managed.output)")
        #expect(managed.outputs["created"] as? Bool == true)
        #expect(managed.outputs["bucket"] as? String == "tenant-data")
        #expect(managed.outputs["prefix"] as? String == "stores/one")
        #expect(managed.outputs["endpoint"] as? String == s3.endpoint.absoluteString)
        #expect(try Self.keys(s3, "tenant-data") == ["stores/one/.globalstacks-object-store"])
        let marker = try #require(try s3.objectBytes(bucket: "tenant-data", key: "stores/one/.globalstacks-object-store"))
        #expect((try JSONSerialization.jsonObject(with: marker) as? [String: Any])?["tenantId"] as? String == "tenant-1")

        let again = try await Self.invoke(s3, "provision", store)
        #expect(again.status == 0, "\(again.output)")
        #expect(again.outputs["created"] as? Bool == false, "the bucket is there now: an external store verifies it")

        let verified = try await Self.invoke(s3, "verify", store)
        #expect(verified.status == 0 && verified.outputs["ok"] as? Bool == true, "\(verified.output)")
        let elsewhere = try await Self.invoke(s3, "verify", store.replacingOccurrences(of: "stores/one", with: "stores/two"))
        #expect(elsewhere.status != 0)
        #expect(elsewhere.error.contains("marker 'stores/two/.globalstacks-object-store' is missing"), "\(elsewhere.output)")

        try s3.boto3("""
        for key in ["stores/one/data/a b.bin", "stores/one/data/ü.bin", "stores/other/keep.bin", "stores/one-more.bin"]:
            s3.put_object(Bucket="tenant-data", Key=key, Body=b"x")
        """)
        let kept = try await Self.invoke(s3, "delete", #"{"bucket":"tenant-data","prefix":"stores/one","deleteBucket":false}"#)
        #expect(kept.status == 0, "\(kept.output)")
        #expect(kept.outputs["deletedObjects"] as? Int == 3)
        #expect(kept.outputs["bucketDeleted"] as? Bool == false)
        #expect(try Self.keys(s3, "tenant-data") == ["stores/one-more.bin", "stores/other/keep.bin"], "only the prefix's objects go")
        let gone = try await Self.invoke(s3, "verify", store)
        #expect(gone.status != 0 && gone.error.contains("missing"), "\(gone.output)")

        let deleted = try await Self.invoke(s3, "delete", #"{"bucket":"tenant-data","deleteBucket":true}"#)
        #expect(deleted.status == 0, "\(deleted.output)")
        #expect(deleted.outputs["deletedObjects"] as? Int == 2)
        #expect(deleted.outputs["bucketDeleted"] as? Bool == true)
        #expect(try Self.keys(s3, "tenant-data") == ["<no bucket>"])
        let noBucket = try await Self.invoke(s3, "verify", store)
        #expect(noBucket.status != 0 && noBucket.error.contains("bucket 'tenant-data' does not exist"), "\(noBucket.output)")
    }

    @Test func aWrongSecretFailsWithS3sReasonAndIsNeverPrinted() async throws {
        let s3 = try TemporaryS3()
        let wrong = "wrong-secret-\(UUID().uuidString)"
        let answer = try await Self.invoke(s3, "provision", #"{"bucket":"tenant-data","hostedMode":"customer_managed"}"#, secret: wrong)
        #expect(answer.status != 0)
        #expect(answer.error.contains("SignatureDoesNotMatch"), "\(answer.output)")
        #expect(!answer.output.contains(wrong))
        #expect(try Self.keys(s3, "tenant-data") == ["<no bucket>"])

        let right = try await Self.invoke(s3, "provision", #"{"bucket":"tenant-data","hostedMode":"globalstacks_managed"}"#)
        #expect(right.status == 0, "\(right.output)")
        #expect(!right.output.contains(s3.secretAccessKey))
        #expect(try Self.keys(s3, "tenant-data") == [".globalstacks-object-store"])
    }

    /// The broker gives the extension only an egress proxy (HTTP_PROXY / HTTPS_PROXY) and a host name (the agent's
    /// proxy refuses IP addresses): every request goes through the proxy, signed for the endpoint's host.
    @Test func goesThroughTheEgressProxy() async throws {
        let s3 = try TemporaryS3()
        let proxy = try RecordingHTTPProxy()
        let endpoint = "http://localhost:\(s3.endpoint.port ?? 0)"
        let store = #"{"bucket":"proxied","prefix":"a b/ü","hostedMode":"globalstacks_managed"}"#
        for (operation, input) in [("provision", store), ("verify", store), ("delete", #"{"bucket":"proxied","prefix":"a b/ü","deleteBucket":true}"#)] {
            let answer = try await Self.invoke(s3, operation, input, endpoint: endpoint, proxy: proxy.url)
            #expect(answer.status == 0, "\(operation): \(answer.output)")
        }
        let requests = proxy.requests
        #expect(requests.contains("PUT \(endpoint)/proxied/a%20b/%C3%BC/.globalstacks-object-store host=localhost:\(s3.endpoint.port ?? 0)"), "\(requests)")
        #expect(requests.contains("DELETE \(endpoint)/proxied host=localhost:\(s3.endpoint.port ?? 0)"), "\(requests)")
        #expect(requests.count >= 8)
        #expect(try Self.keys(s3, "proxied") == ["<no bucket>"])
    }
}

/// A forward HTTP proxy (Python's) for absolute-form requests, as the agent's egress proxy takes plain HTTP: it
/// relays each request and records `METHOD URL host=<Host header>`.
final class RecordingHTTPProxy: @unchecked Sendable {
    let process = Process()
    let url: String
    private let log = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-proxy-\(UUID().uuidString).log")

    init() throws {
        let port = ServerProcess.freePort()
        url = "http://127.0.0.1:\(port)"
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", """
            import http.server, sys, urllib.error, urllib.request
            log = open(sys.argv[2], "a", buffering=1)
            direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            class Relay(http.server.BaseHTTPRequestHandler):
                def relay(self):
                    log.write("%s %s host=%s\\n" % (self.command, self.path, self.headers.get("Host")))
                    length = int(self.headers.get("Content-Length") or 0)
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "proxy-connection")}
                    request = urllib.request.Request(self.path, data=self.rfile.read(length) if length else None,
                                                     method=self.command, headers=headers)
                    try:
                        response = direct.open(request)
                    except urllib.error.HTTPError as error:
                        response = error
                    body = response.read()
                    self.send_response(response.status)
                    for name, value in response.headers.items():
                        if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(body)
                do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = relay
                def log_message(self, *args):
                    pass
            server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Relay)
            print("ready", flush=True)
            server.serve_forever()
            """, "\(port)", log.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        _ = output.fileHandleForReading.availableData
    }

    var requests: [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: log)
    }
}
