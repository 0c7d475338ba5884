import Foundation
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import Testing

/// The CLI as a new user meets it, the real binary against real servers: setup of an empty server, parsing as `gh`
/// and `kubectl` do (options before `--`, `--version`, "did you mean", `--context` anywhere), messages that name
/// CLI commands, and every list command's table and JSON.
@Suite("CLI first hour", .serialized)
struct CLIFirstHourTests {
    typealias CLI = CLITests.CLI

    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"))
    func setupOfAnEmptyServerThenParsingAndMessagesAsPeopleExpect() async throws {
        let server = try await ServerProcess(["--data-dir", LifecycleTests.dataDirectory(), "--bcrypt-cost", "4", "--log-level", "warning"])
        let address = "http://127.0.0.1:\(server.port)"
        let token = try await server.setupToken().token
        let cli = CLI()

        // No users yet: login says to run setup; setup asks for its secrets on a terminal or reads them from stdin.
        let early = try await cli.run(["login", address, "--email", "ada@example.com", "--password-stdin"], stdin: "ada-password-123\n")
        #expect(early.code == 1 && early.err.contains("no users yet") && early.err.contains("`gstacks setup \(address)`"), "\(early.code) \(early.err)")
        let piped = try await cli.run(["setup", address, "--email", "ada@example.com", "--display-name", "Ada", "--password-stdin"], stdin: "\(token)\n")
        #expect(piped.code == 2 && piped.err.contains("--token-stdin"), "a secret is never read from a pipe unasked: \(piped.err)")
        let setup = try await cli.run(["setup", address, "--email", "ada@example.com", "--display-name", "Ada", "--token-stdin", "--password-stdin"],
                                stdin: "\(token)\nada-password-123\n")
        #expect(setup.code == 0 && setup.out.contains("Signed in to \(address) as ada@example.com"), "\(setup.code) \(setup.out) \(setup.err)")
        #expect(![token, "ada-password-123"].contains { setup.out.contains($0) || setup.err.contains($0) }, "no secret is printed")
        let again = try await cli.run(["setup", address, "--email", "bo@example.com", "--display-name", "Bo", "--token-stdin", "--password-stdin"],
                                stdin: "\(token)\nbo-password-1234\n")
        #expect(again.code == 1 && again.err.contains("already set up") && again.err.contains("`gstacks login \(address)`"), "\(again.err)")
        #expect(try await cli.run(["login", address, "--email", "ada@example.com", "--password-stdin", "--name", "second"], stdin: "ada-password-123\n").code == 0)

        // whoami names the organization and the tenant; without a tenant, errors name the CLI command that selects one.
        let organization = try #require((try await cli.json(["orgs", "list"]) as? [[String: Any]])?.first)
        let slug = try #require(organization["slug"] as? String)
        let before = try await cli.run(["whoami"])
        #expect(before.code == 0 && before.out.contains("organization: \(slug) (\(organization["name"] as? String ?? "?"))")
                && before.out.contains("`gstacks tenants use SLUG`"), "\(before.out)")
        let noTenant = try await cli.run(["sandboxes", "list"])
        #expect(noTenant.code == 1 && noTenant.err.contains("`gstacks tenants use SLUG`") && !noTenant.err.contains("/v1/"), "\(noTenant.err)")
        let used = try await cli.run(["orgs", "use", slug])
        #expect(used.code == 0 && used.out == "Using organization \(slug) (\(organization["id"] as? String ?? "?")).\n", "\(used.out)")
        #expect(try await cli.run(["tenants", "create", "Prod", "--slug", "prod"]).code == 0)
        #expect(try await cli.run(["tenants", "use", "prod"]).code == 0)
        let tenantID = try #require((try await cli.json(["tenants", "list"]) as? [[String: Any]])?.first?["id"] as? String)
        let after = try await cli.run(["whoami"])
        #expect(after.out.contains("tenant:       prod (Prod)") && !after.out.contains(tenantID), "by slug and name: \(after.out)")
        let identity = try #require(try await cli.json(["whoami"]) as? [String: Any])
        #expect((identity["tenant"] as? [String: Any])?["slug"] as? String == "prod" && (identity["organization"] as? [String: Any])?["slug"] as? String == slug)
        // The names whoami keeps are asked for again once the session's tenant is another (selected here over HTTP).
        let stage = try #require((try await cli.json(["tenants", "create", "Stage", "--slug", "stage"]) as? [String: Any])?["id"] as? String)
        #expect(try await cli.http(server).call("POST", "/v1/tenants/\(stage)/activate").status == 200)
        #expect(try await cli.run(["whoami"]).out.contains("tenant:       stage (Stage)"))
        #expect(try await cli.run(["tenants", "use", "prod"]).code == 0)

        // Options before -- are options: --help shows help, a mistyped one is a usage error naming it.
        let help = try await cli.run(["sandboxes", "create", "--help"])
        #expect(help.code == 0 && help.out.contains("USAGE: gstacks sandboxes create"), "\(help.code) \(help.out) \(help.err)")
        let mistyped = try await cli.run(["sandboxes", "create", "--wiat", "--", "/bin/sleep", "5"])
        #expect(mistyped.code == 2 && mistyped.err.contains("'--wiat'"), "\(mistyped.code) \(mistyped.err)")
        let execMistyped = try await cli.run(["sandboxes", "exec", "--tiemout", "5", UUID().uuidString, "--", "true"])
        #expect(execMistyped.code == 2 && execMistyped.err.contains("'--tiemout'"), "\(execMistyped.code) \(execMistyped.err)")
        let empty = try await cli.run(["sandboxes", "list", "-o", "json"])
        #expect(empty.code == 0 && empty.out == "[]\n", "no sandbox was made, and none is printed as []: \(empty.out)")

        // --version, "did you mean", --context anywhere on the line, and a usage error for an unknown column.
        let version = try await cli.run(["--version"])
        #expect(version.code == 0 && version.out.first?.isNumber == true, "\(version.out) \(version.err)")
        let typo = try await cli.run(["tenatns", "list"])
        #expect(typo.code == 2 && typo.err.contains("Did you mean 'tenants'?"), "\(typo.err)")
        let subTypo = try await cli.run(["sandboxes", "lsit"])
        #expect(subTypo.code == 2 && subTypo.err.contains("Did you mean 'list'?"), "\(subTypo.err)")
        #expect(try await cli.run(["--context", "nowhere", "whoami"]).err.contains("No context 'nowhere'"))
        #expect(try await cli.run(["--context", "second", "tenants", "list"]).code == 0)
        #expect(try await cli.run(["tenants", "--context", "second", "list"]).code == 0)
        let column = try await cli.run(["tenants", "list", "--columns", "slug,nmae"])
        #expect(column.code == 2 && column.err.contains("'nmae'") && column.err.contains("name") && column.err.contains("slug"), "\(column.code) \(column.err)")
    }

    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"))
    func sandboxesRunToTheirEndCopyDirectoriesAndEveryListPrints() async throws {
        let installation = try await SandboxEndToEndTests.Installation.start(.sqlite, agentArguments: ["--region", "eu-1"])
        let cli = CLI()
        try #require(try await cli.run(["login", "http://127.0.0.1:\(installation.server.port)", "--email", "root@example.com", "--password-stdin"],
                                 stdin: "root-password-123\n").code == 0)
        try #require(try await cli.run(["tenants", "use", "prod"]).code == 0)

        // A command that ran to its end with status 0 is success; another status is not, and says which. `--wait`
        // ends at whichever it sees first, running or the end, so a short command may be seen running: then its end
        // is checked with `get` (on a loaded machine the CLI's poll can land between the two reports).
        let finished = try await cli.run(["sandboxes", "create", "--wait", "--", "sh", "-c", "echo done; exit 0"])
        #expect(finished.out.contains("sh -c 'echo done; exit 0'"), "the command as a shell takes it: \(finished.out)")
        if finished.err.hasSuffix(" running\n") {
            let status = try await Self.endedExitStatus(cli, finished.out)
            #expect(finished.code == 0 && status == 0, "\(finished.code) \(finished.err) \(String(describing: status))")
        } else {
            #expect(finished.code == 0 && finished.err.contains("finished") && finished.err.contains("status 0"), "\(finished.code) \(finished.err)")
        }
        let failed = try await cli.run(["sandboxes", "create", "--wait", "--", "sh", "-c", "exit 3"])
        if failed.err.hasSuffix(" running\n") {
            let status = try await Self.endedExitStatus(cli, failed.out)
            #expect(failed.code == 0 && status == 3, "\(failed.code) \(failed.err) \(String(describing: status))")
        } else {
            #expect(failed.code == 1 && failed.err.contains("status 3"), "\(failed.code) \(failed.err)")
        }

        // The sandbox's settings as flags; the command as trailing words.
        let made = try #require(try await cli.json(["sandboxes", "create", "--wait", "--cpu", "250m", "--memory", "256Mi", "--storage", "64Mi", "--env", "GREETING=hi",
                                              "--env", "OTHER=x", "--label", "team=core", "--network", "--region", "eu-1", "--idle-timeout", "10m",
                                              "/bin/sleep", "600"]) as? [String: Any])
        let id = try #require(made["id"] as? String)
        #expect(made["state"] as? String == "running" && made["command"] as? [String] == ["/bin/sleep", "600"], "\(made)")
        #expect((made["resources"] as? [String: Any])?["cpu"] as? String == "250m" && (made["resources"] as? [String: Any])?["storage"] as? String == "64Mi")
        #expect(made["environmentKeys"] as? [String] == ["GREETING", "OTHER"] && (made["labels"] as? [String: String]) == ["team": "core"], "\(made)")
        #expect(made["network"] as? Bool == true && made["region"] as? String == "eu-1" && made["idleTimeoutSeconds"] as? Int == 600, "\(made)")
        #expect(try await cli.run(["sandboxes", "exec", id, "--", "sh", "-c", "echo $GREETING"]).out == "hi\n")
        #expect(try await cli.run(["sandboxes", "create", "--env", "NOEQUALS", "--", "true"]).code == 2)

        // Directories both ways, recursively; a destination directory receives the source under its name.
        let local = URL(fileURLWithPath: cli.configDirectory).appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: local.appendingPathComponent("sub/deeper"), withIntermediateDirectories: true)
        try Data("a\n".utf8).write(to: local.appendingPathComponent("a.txt"))
        try Data("b\n".utf8).write(to: local.appendingPathComponent("sub/b.txt"))
        let big = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try big.write(to: local.appendingPathComponent("sub/deeper/big.bin"))
        let up = try await cli.run(["sandboxes", "cp", local.path, "\(id):"])
        #expect(up.code == 0 && up.out.contains("3 files") && up.err.isEmpty, "\(up.code) \(up.out) \(up.err)")
        #expect(try await cli.run(["sandboxes", "exec", id, "--", "sh", "-c", "cat tree/a.txt tree/sub/b.txt; wc -c < tree/sub/deeper/big.bin"]).out == "a\nb\n3145728\n")
        let back = URL(fileURLWithPath: cli.configDirectory).appendingPathComponent("back")
        try FileManager.default.createDirectory(at: back, withIntermediateDirectories: true)
        let down = try await cli.run(["sandboxes", "cp", "\(id):tree", back.path])
        #expect(down.code == 0 && down.out.contains("3 files"), "\(down.code) \(down.out) \(down.err)")
        #expect(FileManager.default.contents(atPath: back.path + "/tree/sub/b.txt") == Data("b\n".utf8))
        #expect(FileManager.default.contents(atPath: back.path + "/tree/sub/deeper/big.bin") == big)
        let file = try await cli.run(["sandboxes", "cp", "\(id):tree/a.txt", back.path])
        #expect(file.code == 0 && FileManager.default.contents(atPath: back.path + "/a.txt") == Data("a\n".utf8), "\(file.err)")
        let missing = try await cli.run(["sandboxes", "cp", local.path + "/nothing", "\(id):x"])
        #expect(missing.code == 1 && missing.err.contains("no such file or directory"), "\(missing.err)")

        // Progress of a large file, only on a terminal.
        let terminal = try Self.onTerminal(cli, ["sandboxes", "cp", local.path + "/sub/deeper/big.bin", "\(id):big.bin"])
        #expect(terminal.contains("3.0 MiB / 3.0 MiB  100%") && terminal.contains("big.bin"), "\(terminal)")

        // Hibernate and wake, and a refusal meanwhile that names the CLI command.
        #expect(try await cli.run(["sandboxes", "hibernate", id]).code == 0)
        try await installation.wait(id, for: .hibernated)
        let frozen = try await cli.run(["sandboxes", "exec", id, "--", "true"])
        #expect(frozen.code == 1 && frozen.err.contains("`gstacks sandboxes wake \(id)`"), "\(frozen.err)")
        #expect(try await cli.run(["sandboxes", "wake", id]).code == 0)
        try await installation.wait(id, for: .running)

        // Review from the CLI: a release submitted, rejected with a reason; another approved and published.
        let app = try #require((try await cli.json(["publish", "create-app", "Examples", "--publisher", "GlobalStacks examples", "--support-url", "https://e.example/s",
                                              "--terms-url", "https://e.example/t", "--privacy-url", "https://e.example/p"]) as? [String: Any])?["id"] as? String)
        let keyFile = cli.configDirectory + "/release-key.json"
        #expect(try await cli.run(["publish", "create-key", app, "--out", keyFile]).code == 0)
        let package = try #require((try await cli.json(["publish", "create-package", app, ExampleExtension.key, "--name", "HTTP probe"]) as? [String: Any])?["id"] as? String)
        let artifact = cli.configDirectory + "/artifact.tar.gz"
        try ExampleExtension.pack().write(to: URL(fileURLWithPath: artifact))
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: ExampleExtension.directory.appendingPathComponent("extension.json"))) as? [String: Any])
        var releases: [String] = []
        for version in ["0.9.0", "1.0.0"] {
            manifest["version"] = version
            let path = cli.configDirectory + "/extension-\(version).json"
            try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))
            let release = try #require(try await cli.json(["publish", "release", package, "--manifest", path, "--artifact", artifact, "--key-file", keyFile, "--submit"])
                as? [String: Any])
            releases.append(try #require(release["id"] as? String))
        }
        let queue = try await cli.run(["marketplace", "review", "list"])
        #expect(queue.code == 0 && queue.out.contains(releases[0]) && queue.out.contains(releases[1]) && queue.out.contains(ExampleExtension.key), "\(queue.out)")
        let rejected = try #require(try await cli.json(["marketplace", "review", "reject", releases[0], "--reason", "Superseded by 1.0.0"]) as? [String: Any])
        #expect(rejected["releaseStatus"] as? String == "rejected" && rejected["statusReason"] as? String == "Superseded by 1.0.0", "\(rejected)")
        #expect(try await cli.run(["marketplace", "review", "publish", releases[1]]).code == 1, "approved first")
        #expect((try await cli.json(["marketplace", "review", "approve", releases[1]]) as? [String: Any])?["releaseStatus"] as? String == "approved")
        #expect((try await cli.json(["marketplace", "review", "publish", releases[1]]) as? [String: Any])?["releaseStatus"] as? String == "published")
        #expect((try await cli.json(["marketplace", "review", "list"]) as? [Any])?.isEmpty == true)
        #expect(try await cli.run(["catalog", "list"]).out.contains(ExampleExtension.key))
        #expect(try await cli.run(["installs", "add", ExampleExtension.key, "--yes", "--set", "endpoint=http://localhost:9", "--set", "token=t0ken-secret"]).code == 0)
        let settings = try await cli.run(["installs", "settings", ExampleExtension.key])
        #expect(settings.code == 0 && settings.out.contains("endpoint=http://localhost:9") && !settings.out.contains("{…}"), "\(settings.out)")

        // Every list command: its table has the command's columns, each with a value in some row, and nothing shown
        // as a Swift value; its JSON is a list (an empty one as []).
        let cluster = try #require((try await cli.json(["clusters", "list"]) as? [[String: Any]])?.first?["id"] as? String)
        #expect(try await cli.run(["tokens", "create", cluster]).code == 0)
        #expect(try await cli.run(["api-keys", "create", "ci"]).code == 0)
        let group = try #require((try await cli.json(["groups", "create", "platform", "--display-name", "Platform"]) as? [String: Any])?["id"] as? String)
        let lists: [(words: [String], filled: Bool)] = [
            (["context", "list"], true), (["orgs", "list"], true), (["tenants", "list"], true), (["clusters", "list"], true),
            (["agents", "list"], true), (["sandboxes", "list"], true), (["runs", "list"], false), (["catalog", "list"], false),
            (["installs", "list"], true), (["installs", "commands", ExampleExtension.key], false), (["api-keys", "list"], false),
            (["members", "list"], false), (["invitations", "list"], false), (["groups", "list"], false), (["groups", "members", group], false),
            (["quotas", "usage"], false), (["tokens", "list", cluster], false), (["integrations", "list"], false), (["publish", "apps"], false),
            (["publish", "packages", app], false), (["publish", "releases", package], false), (["marketplace", "review", "list"], false),
        ]
        for (words, filled) in lists {
            let table = try await cli.run(words)
            #expect(table.code == 0 && !table.out.contains("Optional(") && !table.out.contains("{…}"), "\(words): \(table.code) \(table.out) \(table.err)")
            let json = try await cli.run(words + ["-o", "json"])
            let items = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [Any]
            #expect(json.code == 0 && items != nil && (items?.isEmpty == false || json.out == "[]\n"), "\(words): \(json.out)")
            let lines = table.out.split(separator: "\n")
            #expect(lines.count == (items?.count ?? 0) + 1, "\(words): a header and a line per item: \(table.out)")
            guard filled, let header = lines.first else { continue }
            // Each column starts where its header does; one that is blank in every row shows nothing.
            let headerCharacters = Array(header)
            let starts = headerCharacters.indices.filter { $0 == 0 || (headerCharacters[$0 - 1] == " " && headerCharacters[$0] != " ") }
            for (index, start) in starts.enumerated() {
                let end = index + 1 < starts.count ? starts[index + 1] : Int.max
                let cells = lines.dropFirst().map { line in
                    let characters = Array(line)
                    return start < characters.count ? String(characters[start..<min(end, characters.count)]).trimmingCharacters(in: .whitespaces) : ""
                }
                #expect(cells.contains { !$0.isEmpty }, "\(words): the column \(String(headerCharacters[start..<min(end, headerCharacters.count)])) is empty: \(table.out)")
            }
        }
        let agents = try await cli.run(["agents", "list"])
        #expect(agents.out.contains("rack-1") && agents.out.contains("ago"), "the agent's name and last heartbeat: \(agents.out)")
    }

    /// The exit status of the sandbox whose table `createOutput` printed, once it has ended (within 30 s).
    static func endedExitStatus(_ cli: CLI, _ createOutput: String) async throws -> Int? {
        let id = try #require(createOutput.firstMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/).map { String($0.output) })
        for _ in 0..<120 {
            let sandbox = try #require(try await cli.json(["sandboxes", "get", id]) as? [String: Any])
            if ["stopped", "failed", "terminated"].contains(sandbox["state"] as? String) { return sandbox["exitStatus"] as? Int }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("sandbox \(id) did not end within 30 s")
        return nil
    }

    /// Runs the CLI with a pseudo-terminal as its standard streams (`script`), returning what it wrote there.
    static func onTerminal(_ cli: CLI, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        let line = ([ServerProcess.binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        process.arguments = ["-qec", line, "/dev/null"]
        process.environment = ProcessInfo.processInfo.environment.merging(["GSTACKS_CONFIG_DIR": cli.configDirectory]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(arguments): \(String(decoding: data, as: UTF8.self))")
        return String(decoding: data, as: UTF8.self)
    }
}
