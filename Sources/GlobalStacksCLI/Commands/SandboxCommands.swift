import ArgumentParser
import Foundation
import GlobalStacksClient
import OpenAPIRuntime

public struct SandboxesCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sandboxes", abstract: "Sandboxes of the active tenant.",
        subcommands: [List.self, Create.self, Get.self, Exec.self, Shell.self, Copy.self, Logs.self, Stop.self, Delete.self]
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
        static let configuration = CommandConfiguration(abstract: "Start a sandbox running a command.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Wait until it runs (or fails); Ctrl-C stops waiting, not the sandbox.") var wait = false
        @Option(help: "How long to wait, in seconds.") var timeout: Double = 120
        @Argument(parsing: .captureForPassthrough, help: "The command, after --.") var command: [String]

        func run() async throws {
            try await runCommand {
                let argv = command.first == "--" ? Array(command.dropFirst()) : command
                guard !argv.isEmpty else { throw CLIError(.usage, "Give the command to run: gstacks sandboxes create -- sleep 600") }
                let client = try context.client().0
                var sandbox = try await client.createSandbox(command: argv)
                if wait {
                    let deadline = Date().addingTimeInterval(timeout)
                    FileHandle.standardError.write(Data("waiting for \(sandbox.id) to run ".utf8))
                    while sandbox.state.rawValue != "running" {
                        if ["failed", "stopped", "terminated"].contains(sandbox.state.rawValue) {
                            throw CLIError(.failure, "Sandbox \(sandbox.id) is \(sandbox.state.rawValue): \(sandbox.lastError ?? "no reason given")")
                        }
                        guard Date() < deadline else { throw CLIError(.failure, "Sandbox \(sandbox.id) is still \(sandbox.state.rawValue) after \(Int(timeout)) s.") }
                        FileHandle.standardError.write(Data(".".utf8))
                        try await Task.sleep(for: .milliseconds(250))
                        sandbox = try await client.sandbox(sandbox.id)
                    }
                    FileHandle.standardError.write(Data(" running\n".utf8))
                }
                try output.print(sandbox, columns: SandboxesCommand.columns)
            }
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
            abstract: "Run a command in a running sandbox; its output is printed and its exit code is this command's."
        )
        @OptionGroup var context: ContextOptions
        @Option(help: "Seconds before the command is stopped.") var timeout: Double?
        @Argument var id: String
        @Argument(parsing: .captureForPassthrough, help: "The command, after --.") var command: [String]

        func run() async throws {
            var exitCode: Int32 = 0
            try await runCommand {
                let argv = command.first == "--" ? Array(command.dropFirst()) : command
                guard !argv.isEmpty else { throw CLIError(.usage, "Give the command to run: gstacks sandboxes exec ID -- ls -l") }
                let result = try await context.client().0.exec(id, argv, timeoutSeconds: timeout)
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

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cp", abstract: "Copy a file into or out of a sandbox: one side is SANDBOX_ID:PATH (relative to its workspace)."
        )
        @OptionGroup var context: ContextOptions
        @Argument var source: String
        @Argument var destination: String

        func run() async throws {
            try await runCommand {
                let client = try context.client().0
                switch (Self.remote(source), Self.remote(destination)) {
                case (nil, let (sandbox, path)?):
                    guard let handle = FileHandle(forReadingAtPath: source) else { throw CLIError(.failure, "Cannot read \(source).") }
                    let bytes = try handle.readToEnd() ?? Data()
                    let file = try await client.upload(sandbox, path, HTTPBody(bytes))
                    print("\(source) → \(sandbox):\(file.path) (\(bytes.count) bytes)")
                case (let (sandbox, path)?, nil):
                    guard FileManager.default.createFile(atPath: destination, contents: nil), let handle = FileHandle(forWritingAtPath: destination) else {
                        throw CLIError(.failure, "Cannot write \(destination).")
                    }
                    defer { try? handle.close() }
                    var count = 0
                    for try await chunk in try await client.download(sandbox, path) {
                        try handle.write(contentsOf: chunk)
                        count += chunk.count
                    }
                    print("\(sandbox):\(path) → \(destination) (\(count) bytes)")
                default:
                    throw CLIError(.usage, "Exactly one side is SANDBOX_ID:PATH, e.g. gstacks sandboxes cp notes.txt SANDBOX_ID:notes.txt")
                }
            }
        }

        /// `SANDBOX_ID:PATH`, when the part before the first ':' is a sandbox id (a UUID).
        static func remote(_ argument: String) -> (String, String)? {
            guard let colon = argument.firstIndex(of: ":"), UUID(uuidString: String(argument[..<colon])) != nil else { return nil }
            return (String(argument[..<colon]), String(argument[argument.index(after: colon)...]))
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
