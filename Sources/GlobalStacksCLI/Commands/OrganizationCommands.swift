import ArgumentParser
import Foundation
import GlobalStacksClient

public struct OrganizationsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "orgs", abstract: "Your organizations.", subcommands: [List.self, Use.self]
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

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make an organization (by id or slug) the active one.")
        @OptionGroup var context: ContextOptions
        @Argument var organization: String

        func run() async throws {
            try await runCommand {
                let client = try context.client().0
                guard let chosen = try await client.organizations().first(where: { $0.id == organization || $0.slug == organization }) else {
                    throw CLIError(.failure, "No organization '\(organization)' of yours; `gstacks orgs list` shows them.")
                }
                try await client.activateOrganization(chosen.id)
                print("Using organization \(chosen.slug) (\(chosen.id)).")
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

    static let columns = ["id", "name", "status", "approvalStatus", "clusterId", "lastHeartbeatAt"]

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
        commandName: "installs", abstract: "Extensions installed in the active tenant.", subcommands: [List.self]
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
}
