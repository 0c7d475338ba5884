import Foundation
import FoundationNetworking
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import Testing

/// OIDC device-code sign-in end to end: a real provider (nanoidp), a real server, and the `gstacks` binary as a
/// person uses it; the approval is given (or refused) on the provider's own page.
@Suite("OIDC device-code sign-in", .serialized)
struct OIDCSignInTests {
    static let enabled = ServerProcess.isBuilt && OIDCTestProvider.isAvailable

    @Test(.enabled(if: enabled, "needs the built gstacks and nanoidp (python3 scripts/lib/oidc_provider.py setup)"))
    func peopleSignInWithTheProviderAndEveryRefusalSaysWhy() async throws {
        let provider = try OIDCTestProvider()
        let short = try OIDCTestProvider(deviceCodeTTL: 3)
        let data = LifecycleTests.dataDirectory()
        let providers = data + "-oidc.json"
        try Data("""
            [{"name":"corp","displayName":"Corp SSO","issuer":"\(provider.issuer)","clientId":"gstacks-cli","createUsers":true},
             {"name":"short","issuer":"\(short.issuer)","clientId":"gstacks-cli"}]
            """.utf8).write(to: URL(fileURLWithPath: providers))
        let server = try await ServerProcess(
            ["--data-dir", data, "--bcrypt-cost", "4", "--log-level", "warning", "--oidc-providers-file", providers], environment: LifecycleTests.admin
        )
        let address = "http://127.0.0.1:\(server.port)"
        // Grace has an account already (made by an admin, with a password); her provider subject is not her email.
        let admin = try await server.client.signIn(email: "root@example.com", password: "root-password-123")
        let grace = try await admin.createUser(email: "grace@example.com", displayName: "Grace", password: "grace-local-password-1")
        let cli = CLITests.CLI()

        // Ada has no account: the provider's verified email makes one, without a password.
        let login = try BackgroundCLI(["login", address, "--oidc", "--provider", "corp"], configDirectory: cli.configDirectory)
        let code = try await login.userCode()
        #expect(login.stderr.contains("/device"), "\(login.stderr)")
        #expect(try provider.decide(code, username: "ada@example.com", password: "ada-password-123"))
        #expect(try await login.exitCode() == 0, "\(login.stderr)")
        let whoami = try #require(try await cli.json(["whoami"]) as? [String: Any])
        #expect((whoami["user"] as? [String: Any])?["email"] as? String == "ada@example.com", "\(whoami)")
        let passwordless = try await cli.run(["login", address, "--email", "ada@example.com", "--password-stdin", "--name", "pw"], stdin: "!oidc\n")
        #expect(passwordless.code == 1, "an account made by the provider has no password: \(passwordless.err)")

        // Grace signs in to her existing account (matched by verified email, then linked to her subject).
        let second = try BackgroundCLI(["login", address, "--oidc", "--provider", "corp", "--name", "grace"], configDirectory: cli.configDirectory)
        #expect(try provider.decide(try await second.userCode(), username: "grace", password: "grace-password-123"))
        #expect(try await second.exitCode() == 0, "\(second.stderr)")
        let graceSession = try #require(try await cli.json(["whoami", "--context", "grace"]) as? [String: Any])
        #expect((graceSession["user"] as? [String: Any])?["id"] as? String == grace.id, "the existing account: \(graceSession)")

        // Denied at the provider.
        let denied = try BackgroundCLI(["login", address, "--oidc", "--provider", "corp", "--name", "denied"], configDirectory: cli.configDirectory)
        #expect(try provider.decide(try await denied.userCode(), deny: true))
        #expect(try await denied.exitCode() == 1 && denied.stderr.contains("denied"), "\(denied.stderr)")

        // Nobody approves before the code expires (the short provider's codes live 3 s).
        let expired = try BackgroundCLI(["login", address, "--oidc", "--provider", "short", "--name", "late"], configDirectory: cli.configDirectory)
        _ = try await expired.userCode()
        #expect(try await expired.exitCode() == 1 && expired.stderr.contains("expired"), "\(expired.stderr)")

        // The API refuses what does not fit.
        let api = server.client
        await #expect(throws: GlobalStacksClientError.self) { _ = try await api.beginDeviceLogin(provider: "nope") }
        do {
            _ = try await api.pollDeviceLogin(token: "gsd_unknown")
            Issue.record("an unknown token was polled")
        } catch let error as GlobalStacksClientError {
            #expect(error.status == 401)
        }
        let pending = try await api.beginDeviceLogin(provider: "corp")
        do {
            _ = try await api.finishDeviceLogin(provider: "corp", token: pending.token)
            Issue.record("a pending sign-in finished")
        } catch let error as GlobalStacksClientError {
            #expect(error.status == 401 && error.message.contains("not approved"), "\(error)")
        }
        #expect(try await api.signInProviders().map(\.name) == ["corp", "short"])
    }
}
