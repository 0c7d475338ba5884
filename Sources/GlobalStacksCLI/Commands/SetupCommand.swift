import ArgumentParser
import Foundation
import GlobalStacksClient

/// `gstacks setup URL`: the first site admin of a new server, from the one-time setup token it printed, then signed
/// in as `login` does.
public struct SetupCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "setup", abstract: "Create a new server's first site admin with its setup token, and sign in.",
        discussion: """
            The setup token (gss_…) is what the server printed at its first start. It and the password are prompted for \
            without echo, or read from standard input with --token-stdin and --password-stdin (the token's line first); \
            never pass them as arguments.
            """
    )

    @Argument(help: "The server's address, e.g. http://127.0.0.1:8080.")
    var url: String

    @Option(help: "The admin's email address (prompted for when missing).")
    var email: String?

    @Option(help: "The admin's name as people see it (prompted for when missing).")
    var displayName: String?

    @Flag(help: "Read the setup token from standard input.")
    var tokenStdin = false

    @Flag(help: "Read the password from standard input (after the token when both are read).")
    var passwordStdin = false

    @Option(help: "The context's name (default: the server's host and port).")
    var name: String?

    public init() {}

    public func run() async throws {
        try await runCommand {
            guard let server = URL(string: url), server.scheme != nil, server.host != nil else {
                throw CLIError(.usage, "Name the server: gstacks setup http://127.0.0.1:8080")
            }
            let token = tokenStdin ? (readLine(strippingNewline: true) ?? "") : try Prompt.secret("Setup token: ", flag: "--token-stdin", what: "the setup token")
            let email = try self.email ?? Prompt.line("Email: ")
            let displayName = try self.displayName ?? Prompt.line("Name: ")
            let password = passwordStdin ? (readLine(strippingNewline: true) ?? "") : try Self.newPassword()
            let anonymous = GlobalStacksClient(serverURL: server)
            do {
                _ = try await anonymous.completeSetup(token: token, email: email, displayName: displayName, password: password)
            } catch let refusal as GlobalStacksClientError {
                throw CLIError(.failure, CLIAdvice.message(for: refusal.message, server: url))
            }
            FileHandle.standardError.write(Data("Created the site admin \(email).\n".utf8))
            guard case .session(let session) = try await anonymous.signIn(email: email, password: password).credential else {
                throw CLIError(.failure, "The server set no session.")
            }
            var file = try ContextFile.load()
            try file.remember(session: session, user: email, address: url, server: server, name: name)
        }
    }

    /// A new password, typed twice.
    private static func newPassword() throws -> String {
        let password = try Prompt.secret("Password (10 characters or more): ")
        guard try Prompt.secret("Password again: ") == password else { throw CLIError(.usage, "The two passwords differ.") }
        return password
    }
}
