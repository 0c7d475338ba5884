import ArgumentParser
import Foundation
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksDomain
import Yams

/// `gstacks ext KEY COMMAND… [args] [flags]`: the commands installed extensions declare (their CLI metadata, read at
/// run time), invoked through the broker.
public struct ExtensionCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ext",
        abstract: "Run a command an installed extension declares (gstacks ext KEY lists them).",
        discussion: "Everything after KEY belongs to the extension's command: its arguments, its flags, --target-id and --help."
    )

    public init() {}

    @OptionGroup var context: ContextOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .shortAndLong, help: "Also print the extension's diagnostics (on standard error).") var verbose = false
    @Argument(help: "The extension key.") var key: String
    @Argument(parsing: .captureForPassthrough, help: "The command, its arguments and flags.") var words: [String] = []

    public func run() async throws {
        try await runCommand {
            let client = try context.client().0
            let metadata = try await client.integrationCliCommands(key)
            let commands = try JSONDecoder().decode([ExtensionCommandLine.Command].self, from: JSONEncoder().encode(metadata))
            let line = ExtensionCommandLine(key: key, commands: commands)
            var words = words
            var targetID: String?
            if let index = words.firstIndex(where: { $0 == "--target-id" || $0.hasPrefix("--target-id=") }) {
                let word = words.remove(at: index)
                if word.hasPrefix("--target-id=") {
                    targetID = String(word.dropFirst("--target-id=".count))
                } else if index < words.count {
                    targetID = words.remove(at: index)
                } else {
                    throw CLIError(.usage, "--target-id needs a value.")
                }
            }
            if words.isEmpty || words == ["--help"] || words == ["-h"] {
                print(line.help(), terminator: "")
                return
            }
            if words.contains("--help") || words.contains("-h"), let command = line.command(for: words) {
                print(line.help(command), terminator: "")
                return
            }
            let invocation = try line.parse(words)
            let kind = invocation.command.targetKind ?? "cluster"
            var target = targetID ?? invocation.command.targetId
            if target == nil { target = try await onlyCluster(client, kind: kind) }
            let answer = try await client.invoke(key, operation: invocation.command.operation, targetKind: kind, targetId: target ?? "", input: invocation.input)
            if verbose {
                for line in answer.diagnostics { FileHandle.standardError.write(Data("\(line)\n".utf8)) }
            }
            try show(answer.outputs, mode: invocation.command.output)
        }
    }

    /// The tenant's cluster when it has exactly one.
    private func onlyCluster(_ client: GlobalStacksClient, kind: String) async throws -> String {
        guard kind == "cluster" else { throw CLIError(.usage, "Name the \(kind) to run on with --target-id.") }
        let clusters = try await client.clusters()
        guard clusters.count == 1, let only = clusters.first else {
            throw CLIError(.usage, "The tenant has \(clusters.count) clusters; name one with --target-id (gstacks clusters list).")
        }
        return only.id
    }

    /// `passthrough` prints the `text` output as it is; `table` a table of the outputs (or of their one list of
    /// objects); json (the default, and `-o json|yaml`) the outputs object.
    private func show(_ outputs: Data, mode: String?) throws {
        let object = try JSONDecoder().decode([String: JSONValue].self, from: outputs)
        if mode == "passthrough", output.format == .table, case .string(let text)? = object["text"] {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            return
        }
        if mode == "table", output.format == .table {
            let list = object.values.compactMap { value -> [[String: JSONValue]]? in
                guard case .array(let items) = value else { return nil }
                let rows = items.compactMap { item -> [String: JSONValue]? in if case .object(let row) = item { row } else { nil } }
                return rows.count == items.count ? rows : nil
            }.first
            let rows = list ?? [object]
            let columns = output.columns.map { $0.split(separator: ",").map(String.init) } ?? Array(Set(rows.flatMap(\.keys))).sorted()
            let cells = rows.map { row in columns.map { row[$0]?.cellText ?? "" } }
            print(OutputOptions.table(header: columns.map { $0.uppercased() }, rows: cells), terminator: "")
            return
        }
        if output.format == .yaml {
            print(try YAMLEncoder().encode(object), terminator: "")
        } else {
            print(try OutputOptions.json(object))
        }
    }
}
