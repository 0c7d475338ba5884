import ArgumentParser
import Foundation
import GlobalStacksClient
import GlobalStacksContract

public struct LoginCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Sign in to a server and keep the session as a context.",
        discussion: "The password is prompted for without echo, or read from standard input with --password-stdin; never pass it as an argument."
    )

    @Argument(help: "The server's address, e.g. https://gstacks.example.com (default: the current context's).")
    var url: String?

    @Option(help: "The account's email address (prompted for when missing).")
    var email: String?

    @Flag(help: "Read the password from standard input (for scripts).")
    var passwordStdin = false

    @Option(help: "The context's name (default: the server's host and port).")
    var name: String?

    @Flag(help: "Sign in with an identity provider instead of a password (OIDC device code: open the address shown and enter the code).")
    var oidc = false

    @Option(help: "With --oidc: the provider's name (default: the server's only one).")
    var provider: String?

    public init() {}

    public func run() async throws {
        try await runCommand {
            var file = try ContextFile.load()
            let current = file.current.flatMap { file.contexts[$0] }
            guard let address = url ?? current?.server, let server = URL(string: address), server.scheme != nil, server.host != nil else {
                throw CLIError(.usage, "Name the server: gstacks login https://gstacks.example.com")
            }
            if oidc {
                let (session, user) = try await DeviceSignIn(server: server, provider: provider).run()
                try file.remember(session: session, user: user, address: address, server: server, name: name)
                return
            }
            let email = try self.email ?? Prompt.line("Email: ")
            let password = passwordStdin ? (readLine(strippingNewline: true) ?? "") : try Prompt.secret("Password: ")
            let signedIn: GlobalStacksClient
            do {
                signedIn = try await GlobalStacksClient(serverURL: server).signIn(email: email, password: password)
            } catch let refusal as GlobalStacksClientError {
                // A refused sign-in is an error of this command, not a missing sign-in (exit 1, the server's words).
                throw CLIError(.failure, CLIAdvice.message(for: refusal.message, server: address))
            }
            guard case .session(let session) = signedIn.credential else { throw CLIError(.failure, "The server set no session.") }
            try file.remember(session: session, user: email, address: address, server: server, name: name)
        }
    }
}

public struct LogoutCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "logout", abstract: "End the session and forget the context.")

    @OptionGroup var context: ContextOptions

    public init() {}

    public func run() async throws {
        try await runCommand {
            var file = try ContextFile.load()
            let (client, name, _) = try context.client()
            // The session may have ended already; the context is forgotten either way.
            try? await client.signOut()
            file.contexts[name] = nil
            if file.current == name { file.current = file.contexts.keys.sorted().first }
            try file.save()
            print("Signed out of context \(name).")
        }
    }
}

public struct WhoamiCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Who you are signed in as, and what is selected.")

    @OptionGroup var context: ContextOptions
    @OptionGroup var output: OutputOptions

    public init() {}

    struct Identity: Encodable {
        let context: String
        let user: Components.Schemas.UserSummary?
        let sessionId: String?
        let organization: CLIContext.Named?
        let tenant: CLIContext.Named?
    }

    public func run() async throws {
        try await runCommand {
            let (client, name, context) = try context.client()
            let me = try await client.session()
            // The names as last seen while they still match the session (one request, as `whoami` is what the
            // start-up benchmark runs); else asked for and kept.
            var selection = context.selection
            if selection?.organization == nil || selection?.tenant?.id != me.tenantId {
                async let organizations = client.organizations()
                async let tenants = me.tenantId == nil ? [] : client.tenants()
                let organization = try await organizations.first { $0.active == true }
                let tenant = try await tenants.first { $0.id == me.tenantId }
                selection = CLIContext.Selection(
                    organization: organization.map { CLIContext.Named(id: $0.id, slug: $0.slug, name: $0.name) },
                    tenant: me.tenantId.map { id in CLIContext.Named(id: id, slug: tenant?.slug, name: tenant?.name ?? "not listed") }
                )
                try ContextFile.remember(selection!, for: name)
            }
            let identity = Identity(context: name, user: me.user, sessionId: me.sessionId, organization: selection?.organization, tenant: selection?.tenant)
            guard output.format == .table else { return try output.print(identity, columns: []) }
            print("\(me.user?.email ?? "unknown") on context \(name)")
            print("organization: \(identity.organization?.text ?? "none selected; `gstacks orgs use SLUG` selects one")")
            print("tenant:       \(identity.tenant?.text ?? "none selected; `gstacks tenants use SLUG` selects one")")
        }
    }
}

/// Reading from the terminal: a line, or a secret without echo.
enum Prompt {
    static func line(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw CLIError(.usage, "Nothing was entered.") }
        return line
    }

    static func secret(_ prompt: String, flag: String = "--password-stdin", what: String = "the password") throws -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIError(.usage, "Standard input is not a terminal; pass \(flag) to read \(what) from it.")
        }
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }
}
