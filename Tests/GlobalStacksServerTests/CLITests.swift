import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GlobalStacksTestSupport
import Testing

/// The real `gstacks` binary as a person or a script uses it, against a real server and agent: sign-in, contexts,
/// tables and JSON, a sandbox created and waited for, exec passing its exit code through, and the documented exit
/// codes for a wrong password, no sign-in and bad usage.
@Suite("CLI end to end", .serialized)
struct CLITests {
    /// Runs `gstacks` with its own configuration directory.
    struct CLI {
        let configDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-cli-\(UUID().uuidString)").path

        struct Result {
            let code: Int32
            let out: String
            let err: String
        }

        /// Runs the command on a thread of its own: waiting for a process blocks its thread, and Swift's tasks share
        /// only a few (two on 2 cores), which the in-process servers of tests running alongside need.
        @discardableResult
        func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> Result {
            try await withCheckedThrowingContinuation { continuation in
                Thread { continuation.resume(with: Swift.Result { try blockingRun(arguments, stdin: stdin, environment: environment) }) }.start()
            }
        }

        private func blockingRun(_ arguments: [String], stdin: String?, environment: [String: String]) throws -> Result {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(["GSTACKS_CONFIG_DIR": configDirectory].merging(environment) { $1 }) { $1 }
            let (input, output, error) = (Pipe(), Pipe(), Pipe())
            process.standardInput = input
            process.standardOutput = output
            process.standardError = error
            try process.run()
            if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
            try input.fileHandleForWriting.close()
            let out = output.fileHandleForReading.readDataToEndOfFile()
            let err = error.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Result(code: process.terminationStatus, out: String(decoding: out, as: UTF8.self), err: String(decoding: err, as: UTF8.self))
        }

        /// Plain HTTP to `server` with the current context's session, as the CLI itself would send it.
        func http(_ server: ServerProcess) throws -> LiveHTTP {
            let contexts = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configDirectory + "/contexts.json"))) as? [String: Any]
            let current = try #require(contexts?["current"] as? String)
            let session = try #require(((contexts?["contexts"] as? [String: Any])?[current] as? [String: Any])?["session"] as? String)
            return LiveHTTP(server: server, session: session)
        }

        /// Runs with `-o json` (before a `--`, after which everything is the sandbox's command) and parses the output.
        func json(_ arguments: [String]) async throws -> Any {
            var arguments = arguments
            arguments.insert(contentsOf: ["-o", "json"], at: arguments.firstIndex(of: "--") ?? arguments.endIndex)
            let result = try await run(arguments)
            try #require(result.code == 0, "\(arguments): \(result.code) \(result.err)")
            return try JSONSerialization.jsonObject(with: Data(result.out.utf8))
        }
    }

    @Test func signInContextsListingsSandboxesExecAndSignOut() async throws {
        let installation = try await SandboxEndToEndTests.Installation.start(.sqlite)
        let server = "http://127.0.0.1:\(installation.server.port)"
        let cli = CLI()

        let anonymous = try await cli.run(["whoami"])
        #expect(anonymous.code == 4 && anonymous.err.contains("Not signed in"), "\(anonymous.code) \(anonymous.err)")
        let wrong = try await cli.run(["login", server, "--email", "root@example.com", "--password-stdin"], stdin: "not-the-password\n")
        #expect(wrong.code == 1 && wrong.err.hasPrefix("error: ") && !wrong.err.contains("Fatal"), "\(wrong.code) \(wrong.err)")
        let usage = try await cli.run(["sandboxes", "exec"])
        #expect(usage.code == 2, "\(usage.code) \(usage.err)")
        let noPrompt = try await cli.run(["login", server, "--email", "root@example.com"], stdin: "root-password-123\n")
        #expect(noPrompt.code == 2 && noPrompt.err.contains("--password-stdin"), "the password is never read from a pipe unasked: \(noPrompt.err)")

        let login = try await cli.run(["login", server, "--email", "root@example.com", "--password-stdin"], stdin: "root-password-123\n")
        try #require(login.code == 0, "\(login.err)")
        let file = cli.configDirectory + "/contexts.json"
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let whoami = try #require(try await cli.json(["whoami"]) as? [String: Any])
        #expect((whoami["user"] as? [String: Any])?["email"] as? String == "root@example.com", "\(whoami)")

        // The tenant the installation made is listed in a table and in JSON; using it by slug works.
        let table = try await cli.run(["tenants", "list"])
        #expect(table.code == 0 && table.out.hasPrefix("ID") && table.out.contains("prod") && table.out.contains("ago"), "\(table.out)")
        #expect((try await cli.json(["tenants", "list"]) as? [[String: Any]])?.contains { $0["slug"] as? String == "prod" } == true)
        #expect(try await cli.run(["tenants", "use", "prod"]).code == 0)
        let columns = try await cli.run(["tenants", "list", "--columns", "slug,name"])
        #expect(columns.out.split(separator: "\n").first?.split(separator: " ", omittingEmptySubsequences: true) == ["SLUG", "NAME"], "\(columns.out)")

        // A sandbox, waited for; exec passes the command's exit code and output through.
        let created = try #require(try await cli.json(["sandboxes", "create", "--wait", "--", "/bin/sleep", "600"]) as? [String: Any])
        let id = try #require(created["id"] as? String)
        #expect(created["state"] as? String == "running", "\(created)")
        let exec = try await cli.run(["sandboxes", "exec", id, "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(exec.code == 3 && exec.out == "out\n" && exec.err == "err\n", "\(exec.code) \(exec.out) \(exec.err)")
        #expect(try await cli.run(["sandboxes", "exec", id, "--", "true"]).code == 0)
        // Files both ways, and output followed until the process ends.
        let local = cli.configDirectory + "/notes.txt"
        try Data("line one\nline two\n".utf8).write(to: URL(fileURLWithPath: local))
        #expect(try await cli.run(["sandboxes", "cp", local, "\(id):notes.txt"]).code == 0)
        #expect(try await cli.run(["sandboxes", "exec", id, "--", "cat", "notes.txt"]).out == "line one\nline two\n")
        #expect(try await cli.run(["sandboxes", "cp", "\(id):notes.txt", local + ".back"]).code == 0)
        #expect(FileManager.default.contents(atPath: local + ".back") == Data("line one\nline two\n".utf8))
        #expect(try await cli.run(["sandboxes", "cp", local, local + ".again"]).code == 2, "one side must be in a sandbox")
        let talker = try #require(try await cli.json(["sandboxes", "create", "--wait", "--", "/bin/sh", "-c", "echo one; sleep 2; echo two"]) as? [String: Any])
        let followed = try await cli.run(["sandboxes", "logs", "-f", try #require(talker["id"] as? String)])
        #expect(followed.code == 0 && followed.out == "one\ntwo\n", "\(followed.code) \(followed.out) \(followed.err)")

        let yaml = try await cli.run(["sandboxes", "list", "-o", "yaml"])
        #expect(yaml.code == 0 && yaml.out.contains("id: \(id)"), "\(yaml.out)")

        // A second context beside the first; --context and GSTACKS_CONTEXT pick one per command.
        try #require(try await cli.run(["login", server, "--email", "root@example.com", "--password-stdin", "--name", "second"], stdin: "root-password-123\n").code == 0)
        let contexts = try #require(try await cli.json(["context", "list"]) as? [[String: Any]])
        #expect(contexts.count == 2 && contexts.first { $0["current"] as? Bool == true }?["name"] as? String == "second", "\(contexts)")
        let first = try #require(contexts.first { $0["name"] as? String != "second" }?["name"] as? String)
        #expect(try await cli.run(["context", "use", first]).code == 0)
        #expect(try await cli.run(["logout", "--context", "second"]).code == 0)
        #expect(try await cli.run(["whoami", "--context", "second"]).code == 4)
        #expect(try await cli.run(["whoami"], environment: ["GSTACKS_CONTEXT": first]).code == 0)

        // An API key: its secret on standard output once, never in the listing; revoked, it stops working.
        let key = try await cli.run(["api-keys", "create", "ci"])
        let secret = key.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.code == 0 && secret.hasPrefix("gsk_") && key.err.contains("not shown again"), "\(key.out) \(key.err)")
        let keys = try await cli.run(["api-keys", "list", "-o", "json"])
        #expect(keys.code == 0 && keys.out.contains("\"ci\"") && !keys.out.contains(secret), "\(keys.out)")
        let keyID = try #require((try JSONSerialization.jsonObject(with: Data(keys.out.utf8)) as? [[String: Any]])?.first { $0["name"] as? String == "ci" }?["id"] as? String)
        var request = URLRequest(url: installation.server.url("/v1/auth/session"))
        request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
        #expect((try await ServerProcess.session.data(for: request).1 as? HTTPURLResponse)?.statusCode == 200)
        #expect(try await cli.run(["api-keys", "revoke", keyID]).code == 0)
        #expect((try await ServerProcess.session.data(for: request).1 as? HTTPURLResponse)?.statusCode == 401)

        // The other areas list in the same way.
        #expect((try await cli.json(["orgs", "list"]) as? [[String: Any]])?.isEmpty == false)
        #expect((try await cli.json(["clusters", "list"]) as? [[String: Any]])?.contains { $0["name"] as? String == "Rack" } == true)
        let agents = try await cli.run(["agents", "list"])
        #expect(agents.code == 0 && agents.out.contains(installation.agentID) && agents.out.contains("approved"), "\(agents.out)")
        #expect(try await cli.json(["runs", "list"]) is [Any])
        #expect((try await cli.json(["catalog", "list"]) as? [Any])?.isEmpty == true)

        // An extension published over HTTP is found, consented to, configured and removed with the CLI.
        try await Self.publish(Manifest(version: "1.0.0", permissions: ["sandboxes.read"]), server: installation.server, cli: cli)
        let catalog = try await cli.run(["catalog", "list"])
        #expect(catalog.out.contains("acme.object-store") && catalog.out.contains("incompatible"), "\(catalog.out)")
        let added = try await cli.run(["installs", "add", "acme.object-store", "--yes", "--set", "region=us", "--set", "token=s3cret-token-1", "--set", "maxObjects=5"])
        #expect(added.code == 0 && added.err.contains("sandboxes.read") && added.err.contains("api.acme.example"), "\(added.code) \(added.err)")
        let settings = try #require(try await cli.json(["installs", "settings", "acme.object-store"]) as? [String: Any])
        let effective = settings["effectiveSettings"] as? [String: Any]
        #expect(effective?["bucketPrefix"] as? String == "gs-" && effective?["maxObjects"] as? Int == 5, "\(settings)")
        #expect(!String(describing: settings).contains("s3cret"), "secrets are not shown")
        #expect(try await cli.run(["installs", "settings", "acme.object-store", "--set", "bucketPrefix=team-"]).code == 0)
        let frozen = try await cli.run(["installs", "settings", "acme.object-store", "--set", "region=eu"])
        #expect(frozen.code == 1 && frozen.err.contains("immutable"), "\(frozen.err)")
        let commands = try #require(try await cli.json(["installs", "commands", "acme.object-store"]) as? [[String: Any]])
        #expect(commands.first?["path"] as? [String] == ["objects", "list"], "\(commands)")
        #expect(try await cli.run(["installs", "remove", "acme.object-store"]).code == 0)
        #expect((try await cli.json(["installs", "list"]) as? [Any])?.isEmpty == true)

        let stopped = try await cli.run(["sandboxes", "stop", id])
        #expect(stopped.code == 0, "\(stopped.err)")
        #expect(try await cli.run(["logout"]).code == 0)
        #expect(try await cli.run(["whoami"]).code == 4)
    }

    /// No secret given to a command shows in what it prints when it fails: not when the server refuses (a wrong
    /// password, an unknown invitation, settings of an extension that is not installed), and not when nothing listens
    /// at the address any more, where the message names the server and says the connection was refused.
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"))
    func failuresNeverPrintTheSecretsGivenToACommand() async throws {
        let server = try await ServerProcess(["--data-dir", LifecycleTests.dataDirectory(), "--bcrypt-cost", "4", "--log-level", "warning"],
                                             environment: LifecycleTests.admin)
        let address = "http://127.0.0.1:\(server.port)"
        let cli = CLI()
        try #require(try await cli.run(["login", address, "--email", "root@example.com", "--password-stdin"], stdin: "root-password-123\n").code == 0)
        let (password, token, setting) = ("wrong-Pa55word-4711", "gsi_InvitationSecret0815x", "s3cret-Setting-value-42")
        let secrets = [password, token, setting, try cli.http(server).session]
        let commands: [(arguments: [String], stdin: String?)] = [
            (["login", address, "--email", "root@example.com", "--password-stdin", "--name", "other"], password + "\n"),
            (["invitations", "accept", token], nil),
            (["installs", "settings", "nobody.nothing", "--set", "token=\(setting)"], nil),
        ]
        for (arguments, stdin) in commands {
            let refused = try await cli.run(arguments, stdin: stdin)
            #expect(refused.code == 1 || refused.code == 4, "\(arguments[0]): \(refused.code) \(refused.err)")
            #expect(!secrets.contains { refused.out.contains($0) || refused.err.contains($0) }, "\(arguments[0]) printed a secret: \(refused.out) \(refused.err)")
        }

        try await server.stop(signal: SIGKILL)
        for (arguments, stdin) in commands {
            let unreachable = try await cli.run(arguments, stdin: stdin)
            #expect(unreachable.code == 1 && unreachable.err.hasPrefix("error: cannot reach \(address)") && unreachable.err.contains("connection refused"),
                    "\(arguments[0]): \(unreachable.code) \(unreachable.err)")
            #expect(!secrets.contains { unreachable.out.contains($0) || unreachable.err.contains($0) },
                    "\(arguments[0]) printed a secret: \(unreachable.out) \(unreachable.err)")
        }
    }

    /// Publishes the test extension through the live server's HTTP API as the signed-in context's account (the
    /// site admin, which also reviews), so it is installable in its own tenant.
    static func publish(_ manifest: Manifest, server: ServerProcess, cli: CLI) async throws {
        let api = try cli.http(server)
        func call(_ method: String, _ path: String, _ body: Data, contentType: String = "application/json") async throws -> [String: Any] {
            let reply = try await api.call(method, path, body, contentType: contentType)
            try #require((200..<300).contains(reply.status), "\(method) \(path): \(reply.status) \(reply.message)")
            return reply.json
        }
        func json(_ method: String, _ path: String, _ text: String) async throws -> [String: Any] { try await call(method, path, Data(text.utf8)) }
        let app = try #require(try await json("POST", "/v1/developer/apps", """
            {"name":"Acme","publisherName":"Acme","supportUrl":"https://a.example/s","termsUrl":"https://a.example/t","privacyUrl":"https://a.example/p"}
            """)["id"] as? String)
        let signer = Curve25519.Signing.PrivateKey()
        let key = try #require(try await json("POST", "/v1/developer/apps/\(app)/keys",
                                              #"{"name":"k","publicKey":"\#(signer.publicKey.rawRepresentation.base64EncodedString())"}"#)["id"] as? String)
        let package = try #require(try await json("POST", "/v1/developer/apps/\(app)/packages", #"{"extensionKey":"acme.object-store","name":"Store"}"#)["id"] as? String)
        let artifact = Data("print('hello')\n".utf8)
        _ = try await call("PUT", "/v1/extension-content/\(manifest.digest)?kind=manifest", manifest.bytes, contentType: "application/octet-stream")
        _ = try await call("PUT", "/v1/extension-content/\(ContentAddress.of(artifact))?kind=artifact", artifact, contentType: "application/octet-stream")
        let signature = Release.sign(signer, manifest: manifest.digest, artifact: ContentAddress.of(artifact))
        _ = try await json("POST", "/v1/developer/packages/\(package)/signatures", """
            {"manifestDigest":"\(manifest.digest)","artifactDigest":"\(ContentAddress.of(artifact))","keyId":"\(key)","signature":"\(signature)"}
            """)
        let release = try #require(try await json("POST", "/v1/developer/packages/\(package)/releases", """
            {"version":"\(manifest.version)","manifestDigest":"\(manifest.digest)","artifactDigest":"\(ContentAddress.of(artifact))"}
            """)["id"] as? String)
        _ = try await json("POST", "/v1/developer/releases/\(release)/moves", #"{"to":"submitted"}"#)
        _ = try await json("POST", "/v1/marketplace/releases/\(release)/decisions", #"{"to":"approved"}"#)
        _ = try await json("POST", "/v1/marketplace/releases/\(release)/decisions", #"{"to":"published"}"#)
    }
}
