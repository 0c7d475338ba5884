import ArgumentParser
import Foundation
import GlobalStacksCLI

@main
struct GStacks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gstacks",
        abstract: "GlobalStacks: a self-hosted control plane for secure sandbox execution.",
        subcommands: [
            ServerCommand.self, AgentCommand.self, LoginCommand.self, LogoutCommand.self, WhoamiCommand.self, ContextCommand.self,
            OrganizationsCommand.self, TenantsCommand.self, ClustersCommand.self, AgentsCommand.self, SandboxesCommand.self, RunsCommand.self,
            CatalogCommand.self, InstallsCommand.self, ExtensionCommand.self, ApiKeysCommand.self, MembersCommand.self, InvitationsCommand.self,
            GroupsCommand.self, QuotasCommand.self, IntegrationsCommand.self, TokensCommand.self, PublishCommand.self,
        ]
    )

    /// As `gh` does: a usage error exits 2 (ArgumentParser's own code is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
