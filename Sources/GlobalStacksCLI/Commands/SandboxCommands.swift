import ArgumentParser
import Foundation
import GlobalStacksClient
import GlobalStacksContract
import OpenAPIRuntime

public struct SandboxesCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sandboxes", abstract: "Sandboxes of the active tenant.",
        subcommands: [
            List.self, Create.self, Get.self, Exec.self, Shell.self, Copy.self, Logs.self, Stop.self, Hibernate.self, Wake.self, Delete.self,
            SandboxSnapshotCommand.self,
        ]
    )

    public init() {}

    static let columns = ["id", "state", "command", "agentId", "stateChangedAt"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the sandboxes.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.sandboxes(), columns: SandboxesCommand.columns) }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a sandbox running a command, or from a template.",
            discussion: """
                The command comes after -- (or as the last words, when none starts with '-'): gstacks sandboxes create --wait -- sh -c 'echo hi'
                From a template, the command may be left out (the template's CMD runs, or the sandbox waits for work):
                gstacks sandboxes create --template python-data --wait
                """
        )
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Wait until it runs, or has run to its end; Ctrl-C stops waiting, not the sandbox.") var wait = false
        @Option(help: "The template it starts from: a name (its newest version), NAME:VERSION or a digest; default: the host's root.") var template: String?
        @Option(help: "How long to wait, in seconds.") var timeout: Double = 120
        @Option(help: "CPU, a Kubernetes quantity (500m, 2); the server's default is 500m.") var cpu: String?
        @Option(help: "Memory, a Kubernetes quantity (512Mi, 2Gi); the server's default is 512Mi.") var memory: String?
        @Option(help: "Storage, a Kubernetes quantity (counted against storage quotas).") var storage: String?
        @Option(name: .customLong("env"), help: .init("An environment variable (its value is never shown again); repeatable.", valueName: "KEY=VALUE")) var environment: [String] = []
        @Option(name: .customLong("label"), help: .init("A label; repeatable.", valueName: "KEY=VALUE")) var labels: [String] = []
        @Flag(help: "Let the sandbox reach the network (it may not by default).") var network = false
        @Option(help: "Run it on an agent of this region.") var region: String?
        @Option(help: "Stop it after this long without activity: seconds, or with s, m, h or d (10m); at least 60 s.") var idleTimeout: String?
        @Option(help: "Stop and delete it this long after it was created, whatever it is doing: seconds, or with s, m, h or d (2h).") var lifetime: String?
        @Flag(help: "Let anyone who knows the address reach its ports (/v1/sandboxes/ID/ports/PORT/…) without credentials.") var publicPorts = false
        @Argument(help: "The command and its arguments.") var command: [String] = []

        func run() async throws {
            try await runCommand {
                guard !command.isEmpty || template != nil else {
                    throw CLIError(.usage, "Give the command to run (gstacks sandboxes create -- sleep 600) or a template (--template NAME).")
                }
                let resources = cpu == nil && memory == nil && storage == nil ? nil : GlobalStacksClient.SandboxResources(cpu: cpu, memory: memory, storage: storage)
                let client = try context.client().0
                var sandbox = try await client.createSandbox(
                    template: template, command: command, resources: resources, labels: try KeyValueArguments.parse(labels, flag: "--label"),
                    environment: try KeyValueArguments.parse(environment, flag: "--env"), network: network ? true : nil,
                    idleTimeoutSeconds: try idleTimeout.map { try Self.seconds($0, flag: "--idle-timeout") }, region: region,
                    lifetimeSeconds: try lifetime.map { try Self.seconds($0, flag: "--lifetime") }, publicPorts: publicPorts ? true : nil
                )
                if wait {
                    FileHandle.standardError.write(Data("waiting for \(sandbox.id) to run ".utf8))
                    sandbox = try await client.waitUntilRunningOrEnded(sandbox, timeout: timeout) { FileHandle.standardError.write(Data(".".utf8)) }
                    guard sandbox.state == .running else {
                        guard sandbox.state == .stopped, sandbox.exitStatus == 0 else {
                            FileHandle.standardError.write(Data("\n".utf8))
                            throw CLIError(.failure, sandbox.ending)
                        }
                        FileHandle.standardError.write(Data(" finished: its command exited with status 0\n".utf8))
                        return try output.print(sandbox, columns: SandboxesCommand.columns)
                    }
                    FileHandle.standardError.write(Data(" running\n".utf8))
                }
                try output.print(sandbox, columns: SandboxesCommand.columns)
            }
        }

        /// `600`, `90s`, `10m`, `2h`, `1d` as seconds.
        static func seconds(_ text: String, flag: String) throws -> Int {
            let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
            let unit = text.last.flatMap { units[$0] }
            guard let amount = Int(unit == nil ? text : String(text.dropLast())), amount > 0 else {
                throw CLIError(.usage, "\(flag) takes seconds or a number with s, m, h or d (got '\(text)').")
            }
            return amount * (unit ?? 1)
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a sandbox.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: String

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.sandbox(id), columns: SandboxesCommand.columns) }
        }
    }

    struct Exec: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a command in a running sandbox; its output is printed and its exit code is this command's.",
            discussion: "gstacks sandboxes exec ID -- sh -c 'ls -l; exit 3'"
        )
        @OptionGroup var context: ContextOptions
        @Option(help: "Seconds before the command is stopped.") var timeout: Double?
        @Argument var id: String
        @Argument(help: "The command and its arguments, after -- (or as the last words, when none starts with '-').") var command: [String] = []

        func run() async throws {
            var exitCode: Int32 = 0
            try await runCommand {
                guard !command.isEmpty else { throw CLIError(.usage, "Give the command to run: gstacks sandboxes exec ID -- ls -l") }
                // The request lasts as long as the command (the server's default is 60 s): wait for it and some more.
                let result = try await context.client(timeout: .seconds((timeout ?? 60) + 30)).0.exec(id, command, timeoutSeconds: timeout)
                FileHandle.standardOutput.write(Data(result.stdout.utf8))
                FileHandle.standardError.write(Data(result.stderr.utf8))
                if result.timedOut { FileHandle.standardError.write(Data("error: the command timed out\n".utf8)) }
                exitCode = Int32(clamping: result.exitCode ?? (result.timedOut ? 124 : 1))
            }
            if exitCode != 0 { throw ExitCode(exitCode) }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The sandbox's main process output.")
        @OptionGroup var context: ContextOptions
        @Option(help: "How many lines from the end.") var lines: Int?
        @Flag(name: .shortAndLong, help: "Keep printing new output until the process ends; Ctrl-C stops following.") var follow = false
        @Argument var id: String

        func run() async throws {
            try await runCommand {
                let client = try context.client().0
                guard follow else { return print(try await client.output(id, lines: lines), terminator: "") }
                var events = ServerSentEvents()
                for try await chunk in try await client.followOutput(id, lines: lines) {
                    for event in events.feed(chunk) {
                        if event.name == "end" { return }
                        FileHandle.standardOutput.write(Data(event.data.utf8))
                    }
                }
            }
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a sandbox.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: String

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.stopSandbox(id), columns: SandboxesCommand.columns) }
        }
    }

    struct Hibernate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hibernate a running sandbox: its processes are frozen until it is woken.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: String

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.hibernateSandbox(id), columns: SandboxesCommand.columns) }
        }
    }

    struct Wake: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Wake a hibernated sandbox: its processes carry on.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: String

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.wakeSandbox(id), columns: SandboxesCommand.columns) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a stopped or failed sandbox.")
        @OptionGroup var context: ContextOptions
        @Argument var id: String

        func run() async throws {
            try await runCommand {
                try await context.client().0.deleteSandbox(id)
                print("Deleted \(id).")
            }
        }
    }
}

public struct CatalogCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "Extensions the active tenant may install.", subcommands: [List.self]
    )

    public init() {}

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the catalog.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand {
                try output.print(try await context.client().0.catalog(),
                                 columns: ["extensionKey", "version", "publisher", "installedStatus", "compatibilityStatus"])
            }
        }
    }
}

/// Server-sent events from bytes as they arrive: `event:` names one, its `data:` lines are joined with newlines, and a
/// blank line ends it (the output stream sends one `output` event per chunk, then `end`).
struct ServerSentEvents {
    struct Event {
        let name: String
        let data: String
    }

    private var buffer = ""

    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        buffer += String(decoding: Array(bytes), as: UTF8.self)
        var events: [Event] = []
        while let end = buffer.range(of: "\n\n") {
            let block = buffer[..<end.lowerBound]
            buffer = String(buffer[end.upperBound...])
            var name = "message"
            var data: [Substring] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                else if line.hasPrefix("data: ") { data.append(line.dropFirst(6)) }
                else if line == "data:" { data.append("") }
            }
            events.append(Event(name: name, data: data.joined(separator: "\n")))
        }
        return events
    }
}
