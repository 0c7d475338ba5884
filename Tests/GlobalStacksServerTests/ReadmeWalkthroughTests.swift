import Foundation
import GlobalStacksClient
import GlobalStacksTestSupport
import Testing

/// README.md's "First steps with the CLI", in its order, as a new user runs it: a fresh `gstacks server
/// --embedded-agent`, then only the CLI (no curl): setup, whoami, a tenant, a sandbox created with --wait, exec, cp
/// both ways, the logs of a sandbox that ran to its end, and the example extension published, reviewed, installed
/// and its command run.
@Suite("README walkthrough", .serialized)
struct ReadmeWalkthroughTests {
    typealias CLI = CLITests.CLI

    @Test(.enabled(if: ServerProcess.isBuilt && FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap"), "needs bubblewrap and the gstacks product"))
    func theReadmesCLISectionWorksOnAFreshServer() async throws {
        let server = try await ServerProcess(["--data-dir", LifecycleTests.dataDirectory(), "--bcrypt-cost", "4", "--log-level", "warning", "--embedded-agent"])
        let address = "http://127.0.0.1:\(server.port)"
        let token = try await server.setupToken().token
        let cli = CLI()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        let setup = try await cli.run(["setup", address, "--email", "ada@example.com", "--display-name", "Ada", "--token-stdin", "--password-stdin"],
                                stdin: "\(token)\nada-password-123\n")
        try #require(setup.code == 0, "\(setup.err)")
        #expect(try await cli.run(["login", address, "--email", "ada@example.com", "--password-stdin"], stdin: "ada-password-123\n").code == 0)
        #expect(try await cli.run(["whoami"]).out.contains("ada@example.com"))
        let tenant = try await cli.run(["tenants", "create", "Prod", "--slug", "prod"])
        try #require(tenant.code == 0, "\(tenant.err)")
        #expect(try await cli.run(["tenants", "use", "prod"]).code == 0)

        // The embedded agent enrolled at setup: the first sandbox runs.
        let created = try #require(try await cli.json(["sandboxes", "create", "--wait", "--cpu", "250m", "--memory", "256Mi", "--", "/bin/sleep", "600"]) as? [String: Any])
        let id = try #require(created["id"] as? String)
        #expect(created["state"] as? String == "running", "\(created)")
        let exec = try await cli.run(["sandboxes", "exec", id, "--", "sh", "-c", "uname -s; exit 3"])
        #expect(exec.code == 3 && exec.out == "Linux\n", "\(exec.code) \(exec.out) \(exec.err)")

        let notes = work.appendingPathComponent("notes.txt")
        try Data("from the README\n".utf8).write(to: notes)
        #expect(try await cli.run(["sandboxes", "cp", notes.path, "\(id):notes.txt"]).code == 0)
        let copy = work.appendingPathComponent("copy.txt")
        #expect(try await cli.run(["sandboxes", "cp", "\(id):notes.txt", copy.path]).code == 0)
        #expect(try String(contentsOf: copy, encoding: .utf8) == "from the README\n")

        let finished = try await cli.run(["sandboxes", "create", "--wait", "--cpu", "250m", "--memory", "256Mi", "--", "sh", "-c", "echo done; exit 0"])
        #expect(finished.code == 0, "a command run to its end with status 0 is success: \(finished.err)")
        let finishedID = try #require((try await cli.json(["sandboxes", "list"]) as? [[String: Any]])?.first { ($0["id"] as? String) != id }?["id"] as? String)
        let logs = try await cli.run(["sandboxes", "logs", finishedID])
        #expect(logs.code == 0 && logs.out == "done\n", "the output of a finished sandbox: \(logs.code) \(logs.out) \(logs.err)")
        #expect(try await cli.run(["sandboxes", "stop", id]).code == 0)

        // The example extension: published, reviewed and installed with the CLI, its command run.
        let artifact = work.appendingPathComponent("http-probe.tar.gz")
        try ExampleExtension.pack().write(to: artifact)
        let app = try #require((try await cli.json(["publish", "create-app", "Examples", "--publisher", "GlobalStacks examples",
                                             "--support-url", "https://e.example/s", "--terms-url", "https://e.example/t", "--privacy-url", "https://e.example/p"]) as? [String: Any])?["id"] as? String)
        let keyFile = work.appendingPathComponent("release.key").path
        let key = try await cli.run(["publish", "create-key", app, "--out", keyFile])
        try #require(key.code == 0, "\(key.err)")
        let package = try #require((try await cli.json(["publish", "create-package", app, ExampleExtension.key, "--name", "HTTP probe"]) as? [String: Any])?["id"] as? String)
        let manifest = ExampleExtension.directory.appendingPathComponent("extension.json").path
        let release = try #require((try await cli.json(["publish", "release", package, "--manifest", manifest, "--artifact", artifact.path,
                                                 "--key-file", keyFile, "--submit"]) as? [String: Any])?["id"] as? String)
        let queue = try await cli.run(["marketplace", "review", "list"])
        #expect(queue.code == 0 && queue.out.contains(release), "\(queue.out) \(queue.err)")
        #expect(try await cli.run(["marketplace", "review", "approve", release]).code == 0)
        #expect(try await cli.run(["marketplace", "review", "publish", release]).code == 0)
        #expect(try await cli.run(["catalog", "list"]).out.contains(ExampleExtension.key))
        let installed = try await cli.run(["installs", "add", ExampleExtension.key, "--set", "label=mine", "--yes"])
        try #require(installed.code == 0, "\(installed.err)")
        let clusters = try await cli.run(["ext", ExampleExtension.key, "clusters"])
        #expect(clusters.code == 0 && clusters.out.contains("\"local\""), "\(clusters.code) \(clusters.out) \(clusters.err)")
        #expect(try await cli.run(["logout"]).code == 0)
    }
}
