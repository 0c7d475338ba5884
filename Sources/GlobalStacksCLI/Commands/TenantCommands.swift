import ArgumentParser
import Foundation
import GlobalStacksClient
import GlobalStacksContract

public struct TenantsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tenants", abstract: "Tenants of the active organization.", subcommands: [List.self, Create.self, Use.self]
    )

    public init() {}

    static let columns = ["id", "name", "slug", "createdAt"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenants.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand {
                try output.print(try await context.client().0.tenants(), columns: TenantsCommand.columns)
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Its name.") var name: String
        @Option(help: "Its slug (lower-case letters, digits and '-').") var slug: String

        func run() async throws {
            try await runCommand {
                try output.print(try await context.client().0.createTenant(name: name, slug: slug), columns: TenantsCommand.columns)
            }
        }
    }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a tenant (by id or slug) the active one.")
        @OptionGroup var context: ContextOptions
        @Argument var tenant: String

        func run() async throws {
            try await runCommand {
                let (client, name, selected) = try context.client()
                guard let chosen = try await client.tenants().first(where: { $0.id == tenant || $0.slug == tenant }) else {
                    throw CLIError(.failure, "No tenant '\(tenant)' in the active organization; `gstacks tenants list` shows them.")
                }
                try await client.activateTenant(chosen.id)
                let named = CLIContext.Named(id: chosen.id, slug: chosen.slug, name: chosen.name)
                try ContextFile.remember(CLIContext.Selection(organization: selected.selection?.organization, tenant: named), for: name)
                print("Using tenant \(chosen.slug) (\(chosen.id)).")
            }
        }
    }
}
