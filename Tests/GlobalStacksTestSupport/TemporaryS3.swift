import Foundation

/// A local S3-compatible server for one test: moto's server mode on a free loopback port, with signatures and
/// credentials checked as S3 checks them (`scripts/lib/s3_server.py`, docs/object-storage.md). Stopped when released.
/// Tests are skipped with a note when moto is not installed, and fail instead when `GSTACKS_REQUIRE_S3=1` (CI).
public final class TemporaryS3: @unchecked Sendable {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repository.appendingPathComponent("scripts/lib/s3_server.py").path
    static let server = repository.appendingPathComponent(".venv-s3/bin/moto_server").path

    /// Set in CI so a missing moto fails the S3 tests instead of skipping them.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["GSTACKS_REQUIRE_S3"] == "1" }
    /// Whether to run the S3 tests: moto is installed, or it is required (and starting it then fails with the reason).
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: server) || isRequired }
    public static let skipNote = "needs moto: python3 scripts/lib/s3_server.py setup (scripts/test.sh does it)"

    public let endpoint: URL
    public let region: String
    public let accessKeyID: String
    public let secretAccessKey: String
    /// The venv's python, which has boto3: the reference client tests check a bucket with.
    public let python: String
    private let process = Process()
    private let motoPID: Int32?

    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.server) else {
            throw Subprocess.Failure(description: "GSTACKS_REQUIRE_S3=1 but moto is not installed; run python3 scripts/lib/s3_server.py setup")
        }
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-s3-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "start"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line += chunk
        }
        let ready = (try? JSONSerialization.jsonObject(with: line.split(separator: UInt8(ascii: "\n")).first ?? Data())) as? [String: Any]
        motoPID = (ready?["moto_pid"] as? Int).map(Int32.init)
        guard let endpoint = (ready?["endpoint"] as? String).flatMap(URL.init(string:)), let accessKeyID = ready?["accessKeyId"] as? String,
              let secretAccessKey = ready?["secretAccessKey"] as? String, let python = ready?["python"] as? String
        else {
            let log = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw Subprocess.Failure(description: "moto did not start: \(String(decoding: line, as: UTF8.self)) \(log.suffix(2000))")
        }
        self.endpoint = endpoint
        self.region = ready?["region"] as? String ?? "us-east-1"
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.python = python
    }

    deinit {
        // moto dies with its wrapper (PR_SET_PDEATHSIG); it is killed here too, while its pid still names moto.
        if let motoPID, String(decoding: FileManager.default.contents(atPath: "/proc/\(motoPID)/cmdline") ?? Data(), as: UTF8.self).contains("moto") {
            kill(motoPID, SIGKILL)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Runs Python `code` with boto3's S3 client for this server as `s3` (and `argv`, the extra arguments); returns
    /// what it printed.
    @discardableResult
    public func boto3(_ code: String, _ arguments: [String] = []) throws -> String {
        let prelude = """
        import base64, sys, warnings
        warnings.simplefilter("ignore")
        import boto3
        s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name=sys.argv[2], aws_access_key_id=sys.argv[3], aws_secret_access_key=sys.argv[4])
        argv = sys.argv[5:]

        """
        return try Subprocess.run([python, "-c", prelude + code, endpoint.absoluteString, region, accessKeyID, secretAccessKey] + arguments)
    }

    /// The bytes of an object as boto3 reads them, or nil when there is no such key.
    public func objectBytes(bucket: String, key: String) throws -> Data? {
        let printed = try boto3("""
        try:
            print(base64.b64encode(s3.get_object(Bucket=argv[0], Key=argv[1])["Body"].read()).decode())
        except s3.exceptions.NoSuchKey:
            print("-")
        """, [bucket, key]).trimmingCharacters(in: .whitespacesAndNewlines)
        return printed == "-" ? nil : Data(base64Encoded: printed)
    }
}
