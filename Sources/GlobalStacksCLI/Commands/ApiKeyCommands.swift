import ArgumentParser
import Foundation
import GlobalStacksClient
import GlobalStacksContract

public struct ApiKeysCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "api-keys", abstract: "Your API keys, for scripts (Authorization: Bearer …).", subcommands: [List.self, Create.self, Revoke.self]
    )

    public init() {}

    static let columns = ["id", "name", "prefix", "createdAt", "lastUsedAt", "revoked"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your API keys (never their secrets).")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.apiKeys(), columns: ApiKeysCommand.columns) }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key; its secret is printed this once, on standard output alone.")
        @OptionGroup var context: ContextOptions
        @Option(help: "Days until it expires.") var expiresInDays: Int?
        @Argument var name: String

        func run() async throws {
            try await runCommand {
                let (key, secret) = try await context.client().0.createApiKey(name: name, expiresInDays: expiresInDays)
                FileHandle.standardError.write(Data("Created API key \(key.id) (\(key.name)); keep the secret below, it is not shown again.\n".utf8))
                print(secret)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key.")
        @OptionGroup var context: ContextOptions
        @Argument var id: String

        func run() async throws {
            try await runCommand {
                try await context.client().0.revokeApiKey(id)
                print("Revoked \(id).")
            }
        }
    }
}
