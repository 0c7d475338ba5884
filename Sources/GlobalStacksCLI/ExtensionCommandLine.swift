import Foundation

/// An installed extension's CLI metadata (the contract's `IntegrationCliCommand`) turned into a command line: which
/// declared command some words name, its positional arguments and flags, typed as declared, and its help. Pure, so
/// that parsing is tested without a server.
struct ExtensionCommandLine {
    struct Parameter: Decodable, Sendable {
        let name: String
        let description: String?
        let required: Bool?
        /// string (default), integer, number or boolean.
        let type: String?
        let `default`: JSONScalar?
    }

    struct Command: Decodable, Sendable {
        let path: [String]
        let operation: String
        let short: String?
        let targetKind: String?
        let targetId: String?
        /// json (default), table or passthrough.
        let output: String?
        let args: [Parameter]?
        let flags: [Parameter]?
    }

    /// A default value as declared.
    enum JSONScalar: Decodable, Sendable {
        case string(String), number(Double), bool(Bool)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Bool.self) { self = .bool(value) }
            else if let value = try? container.decode(Double.self) { self = .number(value) }
            else { self = .string(try container.decode(String.self)) }
        }

        var value: any Sendable {
            switch self {
            case .string(let value): value
            case .number(let value): value
            case .bool(let value): value
            }
        }
    }

    /// What the words ask for.
    struct Invocation {
        let command: Command
        let input: [String: any Sendable]
    }

    let key: String
    let commands: [Command]

    /// The declared command the words start with (the longest path wins).
    func command(for words: [String]) -> Command? {
        commands.filter { words.starts(with: $0.path) }.max { $0.path.count < $1.path.count }
    }

    /// The declared command the words name and its input; a usage error otherwise.
    func parse(_ words: [String]) throws -> Invocation {
        guard let command = command(for: words) else {
            throw CLIError(.usage, "'\(words.joined(separator: " "))' is not a command of \(key).\n\n" + help())
        }
        var input: [String: any Sendable] = [:]
        var positional: [String] = []
        let flags = Dictionary((command.flags ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var rest = Array(words.dropFirst(command.path.count))[...]
        while let word = rest.popFirst() {
            guard word.hasPrefix("--"), word.count > 2 else {
                positional.append(word)
                continue
            }
            let body = word.dropFirst(2)
            let (name, inline) = body.firstIndex(of: "=").map { (String(body[..<$0]), String(body[body.index(after: $0)...])) } ?? (String(body), nil)
            guard let flag = flags[name] else {
                throw CLIError(.usage, "\(command.path.joined(separator: " ")) has no flag --\(name).\n\n" + help(command))
            }
            if flag.type == "boolean" && inline == nil {
                input[name] = true
                continue
            }
            guard let text = inline ?? rest.popFirst() else { throw CLIError(.usage, "--\(name) needs a value.") }
            input[name] = try Self.typed(text, flag, what: "--\(name)")
        }
        let declared = command.args ?? []
        guard positional.count <= declared.count else {
            throw CLIError(.usage, "\(command.path.joined(separator: " ")) takes \(declared.count) argument(s); got \(positional.count).\n\n" + help(command))
        }
        for (parameter, text) in zip(declared, positional) {
            input[parameter.name] = try Self.typed(text, parameter, what: parameter.name)
        }
        for parameter in declared + (command.flags ?? []) where input[parameter.name] == nil {
            if let value = parameter.default?.value {
                input[parameter.name] = value
            } else if parameter.required == true {
                let how = declared.contains { $0.name == parameter.name } ? "<\(parameter.name)>" : "--\(parameter.name)"
                throw CLIError(.usage, "\(command.path.joined(separator: " ")) needs \(how).\n\n" + help(command))
            }
        }
        return Invocation(command: command, input: input)
    }

    static func typed(_ text: String, _ parameter: Parameter, what: String) throws -> any Sendable {
        switch parameter.type ?? "string" {
        case "integer", "int":
            guard let value = Int(text) else { throw CLIError(.usage, "\(what) must be a whole number (got '\(text)').") }
            return value
        case "number":
            guard let value = Double(text) else { throw CLIError(.usage, "\(what) must be a number (got '\(text)').") }
            return value
        case "boolean", "bool":
            guard let value = Bool(text.lowercased()) else { throw CLIError(.usage, "\(what) must be true or false (got '\(text)').") }
            return value
        default:
            return text
        }
    }

    /// Every command of the extension, or one command's arguments and flags.
    func help(_ command: Command? = nil) -> String {
        guard let command else {
            let lines = commands.map { "  \($0.path.joined(separator: " ").padding(toLength: 24, withPad: " ", startingAt: 0)) \($0.short ?? $0.operation)" }
            return "Commands of \(key) (gstacks ext \(key) COMMAND --help):\n" + lines.joined(separator: "\n") + "\n"
        }
        let arguments = (command.args ?? []).map { $0.required == true ? "<\($0.name)>" : "[<\($0.name)>]" }.joined(separator: " ")
        var text = "USAGE: gstacks ext \(key) \(command.path.joined(separator: " ")) \(arguments) [flags] [--target-id ID]\n"
        if let short = command.short { text += "\n\(short)\n" }
        if let args = command.args, !args.isEmpty {
            text += "\nARGUMENTS:\n" + args.map { "  <\($0.name)>".padding(toLength: 24, withPad: " ", startingAt: 0) + " \($0.description ?? "")" }.joined(separator: "\n") + "\n"
        }
        let flags = (command.flags ?? []).map { "  --\($0.name)\($0.type == "boolean" ? "" : " <\($0.type ?? "value")>")".padding(toLength: 24, withPad: " ", startingAt: 0) + " \($0.description ?? "")" }
        text += "\nFLAGS:\n" + (flags + [
            "  --target-id <id>".padding(toLength: 24, withPad: " ", startingAt: 0) + " the \(command.targetKind ?? "cluster") to run on (default: \(command.targetId ?? "the tenant's only one"))",
        ]).joined(separator: "\n") + "\n"
        return text
    }
}
