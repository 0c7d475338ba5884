import ArgumentParser
import Foundation
import GlobalStacksClient

public struct IntegrationsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "integrations", abstract: "Provider connections of the active tenant (never their secrets).",
        subcommands: [List.self, Get.self, Create.self, Delete.self]
    )

    public init() {}

    static let columns = ["id", "provider", "kind", "name", "status"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the provider connections.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.integrations(), columns: IntegrationsCommand.columns) }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One provider connection.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: String

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.integration(id), columns: IntegrationsCommand.columns) }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect a provider account; the secret stays on the server, named by --credential-ref (env:NAME or file:PATH in the tenant's namespace)."
        )
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Option var provider: String
        @Option var kind: String
        @Option var name: String
        @Option(name: .customLong("credential-ref")) var credentialReference: String
        @Flag(help: "The tenant's default connection for its provider.") var isDefault = false
        @Option(name: .customLong("metadata"), help: "KEY=VALUE, repeatable.") var metadata: [String] = []

        func run() async throws {
            try await runCommand {
                var pairs: [String: String] = [:]
                for item in metadata {
                    guard let equals = item.firstIndex(of: "=") else { throw CLIError(.usage, "--metadata takes KEY=VALUE (got '\(item)').") }
                    pairs[String(item[..<equals])] = String(item[item.index(after: equals)...])
                }
                let created = try await context.client().0.createIntegration(
                    provider: provider, kind: kind, name: name, credentialReference: credentialReference, isDefault: isDefault ? true : nil, metadata: pairs
                )
                try output.print(created, columns: IntegrationsCommand.columns)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a provider connection.")
        @OptionGroup var context: ContextOptions
        @Argument var id: String

        func run() async throws {
            try await runCommand {
                try await context.client().0.deleteIntegration(id)
                print("Deleted \(id).")
            }
        }
    }
}

public struct TokensCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Provisioning tokens agents enroll into a cluster with.", subcommands: [List.self, Create.self, Revoke.self]
    )

    public init() {}

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A cluster's provisioning tokens (never their secrets).")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var cluster: String

        func run() async throws {
            try await runCommand {
                try output.print(try await context.client().0.provisioningTokens(cluster: cluster), columns: ["id", "name", "prefix", "singleUse", "expiresAt", "usedAt", "revokedAt"])
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A provisioning token for a cluster; printed this once, on standard output alone.")
        @OptionGroup var context: ContextOptions
        @Argument var cluster: String

        func run() async throws {
            try await runCommand {
                let token = try await context.client().0.createProvisioningToken(cluster: cluster)
                FileHandle.standardError.write(Data("Enroll an agent with GSTACKS_AGENT_TOKEN set to the token below; it is not shown again.\n".utf8))
                print(token)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a provisioning token.")
        @OptionGroup var context: ContextOptions
        @Argument var cluster: String
        @Argument var id: String

        func run() async throws {
            try await runCommand {
                try await context.client().0.revokeProvisioningToken(cluster: cluster, id: id)
                print("Revoked \(id).")
            }
        }
    }
}
