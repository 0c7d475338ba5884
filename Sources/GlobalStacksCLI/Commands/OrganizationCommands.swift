import ArgumentParser
import Foundation
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksDomain

public struct OrganizationsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "orgs", abstract: "Your organizations.", subcommands: [List.self, Create.self, Use.self]
    )

    public init() {}

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your organizations.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.organizations(), columns: ["id", "name", "slug", "kind", "role"]) }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a business organization (to work with others); you are its owner.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.createOrganization(name: name), columns: ["id", "name", "slug", "kind"]) }
        }
    }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make an organization (by id or slug) the active one.")
        @OptionGroup var context: ContextOptions
        @Argument var organization: String

        func run() async throws {
            try await runCommand {
                let (client, name, _) = try context.client()
                guard let chosen = try await client.organizations().first(where: { $0.id == organization || $0.slug == organization }) else {
                    throw CLIError(.failure, "No organization '\(organization)' of yours; `gstacks orgs list` shows them.")
                }
                try await client.activateOrganization(chosen.id)
                // Whether the server kept a tenant is for `whoami` to ask: a tenant of nil matches only a session without one.
                try ContextFile.remember(CLIContext.Selection(organization: CLIContext.Named(id: chosen.id, slug: chosen.slug, name: chosen.name)), for: name)
                print("Using organization \(chosen.slug ?? chosen.name) (\(chosen.id)).")
            }
        }
    }
}

public struct ClustersCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "clusters", abstract: "Clusters the active tenant may use.", subcommands: [List.self, Create.self]
    )

    public init() {}

    static let columns = ["id", "name", "ownership", "status", "createdAt"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the clusters.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.clusters(), columns: ClustersCommand.columns) }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a cluster of the active tenant (bring your own hosts).")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.createCluster(name: name), columns: ClustersCommand.columns) }
        }
    }
}

public struct AgentsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "agents", abstract: "Agents of the clusters the active tenant may use.", subcommands: [List.self, Approve.self]
    )

    public init() {}

    static let columns = ["id", "agentId", "status", "approvalStatus", "clusterId", "lastHeartbeat"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the agents.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.agents(), columns: AgentsCommand.columns) }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve an agent so that it gets work.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: String

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.approveAgent(id), columns: AgentsCommand.columns) }
        }
    }
}

public struct RunsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "Operation runs of the active organization.", subcommands: [List.self, Get.self, Watch.self]
    )

    public init() {}

    static let columns = ["runId", "operationType", "executionStatus", "outcome"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recent runs.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "How many.") var limit: Int?

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.operationRuns(limit: limit), columns: RunsCommand.columns) }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a run.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: Int

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.operationRun(id), columns: RunsCommand.columns) }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Wait until a run ends, showing its status as it changes; Ctrl-C stops watching, not the run.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: Int

        func run() async throws {
            try await runCommand {
                let client = try context.client().0
                var run = try await client.operationRun(id)
                var shown = ""
                while true {
                    let status = run.value1.executionStatus
                    if status != shown {
                        FileHandle.standardError.write(Data("run \(id): \(status)\n".utf8))
                        shown = status
                    }
                    if status == "completed" { break }
                    try await Task.sleep(for: .milliseconds(500))
                    run = try await client.operationRun(id)
                }
                try output.print(run, columns: RunsCommand.columns)
            }
        }
    }
}

public struct InstallsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "installs", abstract: "Extensions installed in the active tenant.",
        subcommands: [List.self, Add.self, Settings.self, Remove.self, Commands.self]
    )

    public init() {}

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the installs.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand {
                try output.print(try await context.client().0.integrationInstalls(), columns: ["extensionKey", "version", "status", "updatedAt"])
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install an extension (or consent again to its newest release) after showing what it asks for."
        )
        @OptionGroup var context: ContextOptions
        @Flag(name: .shortAndLong, help: "Consent without asking (scripts).") var yes = false
        @Option(name: .customLong("set"), help: "A setting, key=value (value as JSON when it parses, else text); repeatable.") var settings: [String] = []
        @Argument var key: String

        func run() async throws {
            try await runCommand {
                let client = try context.client().0
                let consent = try await client.consent(key)
                var screen = "\(consent.name) \(consent.version) by \(consent.publisher) asks for:\n"
                for permission in consent.permissions {
                    screen += "  \(permission.name)\(permission.new == true ? " (new)" : ""): \(permission.allows) Why: \(permission.purpose)\n"
                }
                screen += consent.egress.isEmpty ? "  no network access\n" : "  network access to \(consent.egress.joined(separator: ", "))\n"
                FileHandle.standardError.write(Data(screen.utf8))
                if !yes {
                    FileHandle.standardError.write(Data("Consent and install? [y/N] ".utf8))
                    guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else { throw CLIError(.failure, "Not installed.") }
                }
                let install = try await client.install(key, consentingTo: consent, settings: try SettingArguments.parse(settings))
                print("Installed \(install.extensionKey) \(install.version) (\(install.status.rawValue)).")
            }
        }
    }

    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an install's settings, or change them with --set (key= removes one).")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Option(name: .customLong("set"), help: "key=value (JSON when it parses, else text); key= removes it; repeatable.") var settings: [String] = []
        @Argument var key: String

        func run() async throws {
            try await runCommand {
                let client = try context.client().0
                let answer = settings.isEmpty
                    ? try await client.integrationSettings(key)
                    : try await client.updateIntegrationSettings(key, try SettingArguments.patch(settings))
                try output.print(answer, columns: ["extensionKey", "settings", "effectiveSettings"])
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Uninstall an extension, with its settings and secrets.")
        @OptionGroup var context: ContextOptions
        @Argument var key: String

        func run() async throws {
            try await runCommand {
                try await context.client().0.uninstall(key)
                print("Uninstalled \(key).")
            }
        }
    }

    struct Commands: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "commands", abstract: "The CLI commands an installed extension declares.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var key: String

        func run() async throws {
            try await runCommand {
                try output.print(try await context.client().0.integrationCliCommands(key), columns: ["path", "operation", "short", "output"])
            }
        }
    }
}

/// `--set key=value` arguments: the value as JSON when it parses (numbers, booleans, objects), else as text.
enum SettingArguments {
    static func parse(_ arguments: [String]) throws -> [String: any Sendable] {
        try patch(arguments).compactMapValues { $0 }
    }

    static func patch(_ arguments: [String]) throws -> [String: (any Sendable)?] {
        var settings: [String: (any Sendable)?] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw CLIError(.usage, "--set takes key=value (got '\(argument)').")
            }
            let key = String(argument[..<equals])
            let text = String(argument[argument.index(after: equals)...])
            if text.isEmpty {
                settings[key] = .some(nil)
            } else if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), let sendable = Self.sendable(value) {
                settings[key] = sendable
            } else {
                settings[key] = text
            }
        }
        return settings
    }

    /// JSON values as the Sendable values the typed client's free-form objects take.
    private static func sendable(_ value: JSONValue) -> (any Sendable)? {
        switch value {
        case .null: nil
        case .bool(let flag): flag
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? Int(number) : number
        case .string(let text): text
        case .array(let items): items.compactMap(sendable)
        case .object(let object): object.compactMapValues(sendable)
        }
    }
}
