import Foundation
import GlobalStacksClient
import GlobalStacksContract
import MCP

/// A command run in a sandbox and waited for, as `gstacks sandboxes exec` does; its output cut at `outputLimit` bytes
/// of each stream by the server (which says so).
enum MCPRunCommandTool {
    static let outputLimit = 64 << 10
    static let defaultTimeout = 60.0

    struct Input: Decodable {
        let sandboxId: String
        let command: Command
        let cwd: String?
        let env: [String: String]?
        let stdin: String?
        let timeoutSeconds: Double?
    }

    /// A shell command line, or a program and its arguments.
    enum Command: Decodable {
        case shell(String)
        case argv([String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let line = try? container.decode(String.self) { self = .shell(line) } else { self = .argv(try container.decode([String].self)) }
        }

        var words: [String] {
            switch self {
            case .shell(let line): ["/bin/sh", "-c", line]
            case .argv(let words): words
            }
        }
    }

    struct Output: Encodable {
        let exitCode: Int?
        let signal: String?
        let timedOut: Bool
        let durationMs: Int
        let stdout: String
        let stderr: String
        let notes: [String]?
    }

    static let tool = MCPTool(
        "run_command", title: "Run a command in a sandbox",
        description: """
            Runs a command in a running sandbox and waits for it to end (at most timeoutSeconds, default 60, then it is killed). \
            command is either a shell command line, run with /bin/sh -c (pipes, &&, redirections work), or an array of a program and \
            its arguments, run without a shell. It starts in the sandbox's workspace unless cwd names a directory in it. \
            Returns exitCode (absent when a signal ended it), stdout and stderr; each keeps at most the first 64 KiB, and notes say when \
            output was cut (then write it to a file and read it with read_file, or filter it with head, tail or grep). \
            A non-zero exitCode is a result, not a tool error.
            """,
        inputSchema: MCPSchema.object([
            "sandboxId": MCPSchema.sandboxID,
            "command": [
                "description": "A shell command line (run with /bin/sh -c), or a program and its arguments as an array.",
                "anyOf": [
                    ["type": "string", "minLength": 1, "maxLength": 4_096],
                    ["type": "array", "minItems": 1, "maxItems": 256, "items": ["type": "string", "maxLength": 4_096]],
                ],
            ],
            "cwd": MCPSchema.workspacePath("The directory to run it in (default: the workspace)."),
            "env": MCPSchema.stringMap("Environment variables added for this command.", maxValueLength: 4_096),
            "stdin": MCPSchema.string("Text written to its standard input, which is then closed.", maxLength: 131_072),
            "timeoutSeconds": ["type": "number", "exclusiveMinimum": 0, "maximum": 3_600, "description": "Seconds before it is killed (default 60)."],
        ], required: ["sandboxId", "command"]),
        annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true)
    ) { (input: Input, context) in
        let timeout = input.timeoutSeconds ?? defaultTimeout
        // The request lasts as long as the command: the client waits for it and some more.
        let client = try context.client(timeout: .seconds(timeout + 30)).0
        let result = try await client.exec(
            input.sandboxId, input.command.words, environment: input.env ?? [:], workingDirectory: input.cwd, stdin: input.stdin,
            timeoutSeconds: timeout, outputLimitBytes: outputLimit
        )
        var notes: [String] = []
        if result.timedOut { notes.append("It was killed after \(timeout == timeout.rounded() ? String(Int(timeout)) : String(timeout)) s (timeoutSeconds).") }
        for (stream, cut) in [("stdout", result.stdoutTruncated), ("stderr", result.stderrTruncated)] where cut {
            notes.append("\(stream) was cut at \(outputLimit) bytes; the rest is not shown.")
        }
        return try .success(Output(
            exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut, durationMs: result.durationMs,
            stdout: result.stdout, stderr: result.stderr, notes: notes.isEmpty ? nil : notes
        ))
    }
}
