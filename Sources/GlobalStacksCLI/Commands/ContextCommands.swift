import ArgumentParser
import Foundation
import GlobalStacksClient

public struct ContextCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "context", abstract: "Several servers and accounts side by side.",
        subcommands: [List.self, Use.self, Delete.self]
    )

    public init() {}

    struct Row: Encodable {
        let name: String
        let current: Bool
        let server: String
        let user: String
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The contexts, the current one marked.")
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand {
                let file = try ContextFile.load()
                let rows = file.contexts.keys.sorted().map { name in
                    Row(name: name, current: name == file.current, server: file.contexts[name]!.server, user: file.contexts[name]!.user)
                }
                try output.print(rows, columns: ["name", "current", "server", "user"])
            }
        }
    }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a context the current one.")
        @Argument var name: String

        func run() async throws {
            try await runCommand {
                var file = try ContextFile.load()
                guard file.contexts[name] != nil else { throw CLIError(.failure, "No context '\(name)'; `gstacks context list` shows them.") }
                file.current = name
                try file.save()
                print("Using context \(name).")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget a context (its session stays valid until it expires; `gstacks logout` ends it).")
        @Argument var name: String

        func run() async throws {
            try await runCommand {
                var file = try ContextFile.load()
                guard file.contexts.removeValue(forKey: name) != nil else { throw CLIError(.failure, "No context '\(name)'.") }
                if file.current == name { file.current = nil }
                try file.save()
                print("Deleted context \(name).")
            }
        }
    }
}
