import ArgumentParser
import Foundation
import GlobalStacksCLI
import GlobalStacksDomain

@main
struct GStacks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gstacks",
        abstract: "GlobalStacks: a self-hosted control plane for secure sandbox execution.",
        version: GlobalStacksVersion.current.description,
        subcommands: [
            ServerCommand.self, AgentCommand.self, SetupCommand.self, LoginCommand.self, LogoutCommand.self, WhoamiCommand.self, ContextCommand.self,
            OrganizationsCommand.self, TenantsCommand.self, ClustersCommand.self, AgentsCommand.self, SandboxesCommand.self, TemplatesCommand.self, RunsCommand.self,
            CatalogCommand.self, InstallsCommand.self, ExtensionCommand.self, ApiKeysCommand.self, MembersCommand.self, InvitationsCommand.self,
            GroupsCommand.self, QuotasCommand.self, IntegrationsCommand.self, TokensCommand.self, PublishCommand.self, MarketplaceCommand.self,
            SandboxPortRelayCommand.self,
            MCPCommand.self,
        ]
    )

    /// As `gh` does: a usage error exits 2 (ArgumentParser's own code is 64), and a mistyped command gets a "did you
    /// mean". `--context` counts anywhere on the line (as GSTACKS_CONTEXT for this process).
    static func main() async {
        let (words, context) = CommandLineWords.hoistingContext(Array(CommandLine.arguments.dropFirst()))
        if let context { setenv("GSTACKS_CONTEXT", context, 1) }
        do {
            var command = try parseAsRoot(words)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                let message = CommandLineWords.suggestion(for: words, root: GStacks.self).map { "Error: \($0)" } ?? fullMessage(for: error)
                FileHandle.standardError.write(Data((message + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
