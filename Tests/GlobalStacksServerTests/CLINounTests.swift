import Foundation
import GlobalStacksTestSupport
import Testing

/// The CLI's other nouns against a real server, each doing real work: members, invitations, groups, quotas,
/// provisioning tokens, provider connections, and publishing a signed extension release.
@Suite("CLI nouns end to end", .serialized)
struct CLINounTests {
    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"))
    func everyAreaIsReachableFromTheCLI() async throws {
        let data = LifecycleTests.dataDirectory()
        let server = try await ServerProcess(["--data-dir", data, "--bcrypt-cost", "4", "--log-level", "warning"], environment: LifecycleTests.admin)
        let cli = CLITests.CLI()
        try #require(try await cli.run(["login", "http://127.0.0.1:\(server.port)", "--email", "root@example.com", "--password-stdin"], stdin: "root-password-123\n").code == 0)
        let organization = try #require((try await cli.json(["orgs", "create", "Acme Corp"]) as? [String: Any])?["slug"] as? String)
        try #require(try await cli.run(["orgs", "use", organization]).code == 0)
        try #require(try await cli.run(["tenants", "create", "Prod", "--slug", "prod"]).code == 0)
        try #require(try await cli.run(["tenants", "use", "prod"]).code == 0)

        let members = try #require(try await cli.json(["members", "list"]) as? [[String: Any]])
        let me = try #require(members.first { $0["email"] as? String == "root@example.com" }?["userId"] as? String)
        #expect(members.first?["role"] as? String == "owner", "\(members)")

        let invited = try await cli.run(["invitations", "create", "bo@example.com", "--role", "admin"])
        #expect(invited.code == 0 && invited.out.contains("/v1/invitations/") && invited.err.contains("not shown again"), "\(invited.out) \(invited.err)")
        let invitations = try #require(try await cli.json(["invitations", "list"]) as? [[String: Any]])
        let invitation = try #require(invitations.first { $0["email"] as? String == "bo@example.com" }?["id"] as? String)
        #expect(!String(describing: invitations).contains(invited.out.trimmingCharacters(in: .whitespacesAndNewlines)), "the link is shown once")
        #expect(try await cli.run(["invitations", "revoke", invitation]).code == 0)

        let group = try #require((try await cli.json(["groups", "create", "platform", "--display-name", "Platform"]) as? [String: Any])?["id"] as? String)
        #expect(try await cli.run(["groups", "add", group, me]).code == 0)
        #expect((try await cli.json(["groups", "members", group]) as? [[String: Any]])?.first?["userId"] as? String == me)
        #expect(try await cli.run(["quotas", "set", "--group", group, "--max-sessions", "3"]).code == 0)
        let usage = try #require(try await cli.json(["quotas", "usage"]) as? [[String: Any]])
        #expect(usage.contains { $0["scope"] as? String == "group" && $0["subjectId"] as? String == group }, "\(usage)")
        #expect(try await cli.run(["quotas", "set", "--group", group, "--member", me]).code == 2, "one target at a time")
        #expect(try await cli.run(["quotas", "remove", "--group", group]).code == 0)
        #expect(try await cli.run(["groups", "remove", group, me]).code == 0)
        #expect(try await cli.run(["groups", "delete", group]).code == 0)

        let cluster = try #require((try await cli.json(["clusters", "create", "Rack"]) as? [String: Any])?["id"] as? String)
        let token = try await cli.run(["tokens", "create", cluster])
        #expect(token.code == 0 && token.out.hasPrefix("gsp_"), "\(token.out) \(token.err)")
        let tokens = try #require(try await cli.json(["tokens", "list", cluster]) as? [[String: Any]])
        #expect(tokens.count == 1 && !String(describing: tokens).contains(token.out.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try await cli.run(["tokens", "revoke", cluster, try #require(tokens.first?["id"] as? String)]).code == 0)

        #expect((try await cli.json(["integrations", "list"]) as? [Any])?.isEmpty == true)
        let refused = try await cli.run(["integrations", "create", "--provider", "directory-file", "--kind", "directory", "--name", "Corp", "--credential-ref", "nowhere"])
        #expect(refused.code == 1 && refused.err.hasPrefix("error: "), "the server's refusal: \(refused.err)")

        // Publishing: an app, a key made here, a package, and a signed release submitted for review.
        let app = try #require((try await cli.json(["publish", "create-app", "Examples", "--publisher", "Examples", "--support-url", "https://e.example/s",
                                              "--terms-url", "https://e.example/t", "--privacy-url", "https://e.example/p"]) as? [String: Any])?["id"] as? String)
        let keyFile = cli.configDirectory + "/release-key.json"
        #expect(try await cli.run(["publish", "create-key", app, "--out", keyFile]).code == 0)
        #expect((try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try await cli.run(["publish", "create-key", app, "--out", keyFile]).code == 2, "a key file is never overwritten")
        _ = try await cli.run(["publish", "create-package", app, ExampleExtension.key, "--name", "HTTP probe"])
        let package = try #require((try await cli.json(["publish", "packages", app]) as? [[String: Any]])?.first?["id"] as? String)
        let artifact = cli.configDirectory + "/artifact.tar.gz"
        try ExampleExtension.pack().write(to: URL(fileURLWithPath: artifact))
        let released = try await cli.run(["publish", "release", package, "--manifest", ExampleExtension.directory.appendingPathComponent("extension.json").path,
                                    "--artifact", artifact, "--key-file", keyFile, "--submit"])
        #expect(released.code == 0 && released.err.contains("Submitted"), "\(released.out) \(released.err)")
        let releases = try #require(try await cli.json(["publish", "releases", package]) as? [[String: Any]])
        #expect(releases.first?["releaseStatus"] as? String == "submitted" && releases.first?["version"] as? String == "1.0.0", "\(releases)")

        // The session ends on the server (signed out elsewhere): the CLI says so and exits 4.
        #expect(try await cli.http(server).call("DELETE", "/v1/auth/session").status == 204)
        let ended = try await cli.run(["whoami"])
        #expect(ended.code == 4 && ended.err.contains("session has ended") && ended.err.contains("gstacks login"), "\(ended.code) \(ended.err)")
    }
}
