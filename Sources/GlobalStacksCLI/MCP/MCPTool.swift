import Foundation
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksDomain
import MCP

/// One tool of `gstacks mcp`: what a client lists, the schema its arguments are checked against, and what a call does
/// with them, on the signed-in context's client. A tool maps its input to the calls the CLI's commands make.
struct MCPTool: Sendable {
    let definition: Tool
    let schema: JSONSchema
    private let body: @Sendable (JSONValue, ContextOptions) async throws -> CallTool.Result

    /// A tool whose arguments, once they meet `inputSchema`, are decoded as `Input`.
    init<Input: Decodable & Sendable>(
        _ name: String, title: String, description: String, inputSchema: Value, annotations: Tool.Annotations,
        run: @escaping @Sendable (Input, ContextOptions) async throws -> CallTool.Result
    ) {
        definition = Tool(name: name, title: title, description: description, inputSchema: inputSchema, annotations: annotations)
        do {
            schema = try JSONSchema(JSONValue(inputSchema), field: "\(name).inputSchema")
        } catch {
            preconditionFailure("\(error)")  // The schemas are ours and fixed: one the validator refuses is a defect here.
        }
        body = { arguments, context in
            let input: Input
            do {
                input = try JSONDecoder().decode(Input.self, from: JSONEncoder().encode(arguments))
            } catch {
                throw CLIError(.usage, "The arguments of \(name) do not fit its input schema.")
            }
            return try await run(input, context)
        }
    }

    /// Runs the tool if `arguments` meet its schema; every failure is the result's error, never the server's.
    func call(_ arguments: [String: Value], context: ContextOptions) async -> CallTool.Result {
        let input = JSONValue(.object(arguments))
        let violations = schema.validate(input)
        guard violations.isEmpty else {
            return .failure("Invalid arguments for \(definition.name): \(violations.map(\.description).joined(separator: "; ")).")
        }
        do {
            return try await body(input, context)
        } catch {
            let message = CLIError(describing: error).message
            MCPLog.note("\(definition.name) failed: \(message)")
            return .failure(message)
        }
    }
}

extension CallTool.Result {
    /// `value` as structured content, and as its JSON text for clients that read only text.
    static func success(_ value: some Encodable) throws -> Self {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let json = try encoder.encode(value)
        let structured: Value? = Value(try JSONDecoder().decode(JSONValue.self, from: json))
        return .init(content: [.text(text: String(decoding: json, as: UTF8.self), annotations: nil, _meta: nil)], structuredContent: structured, isError: false)
    }

    static func failure(_ message: String) -> Self {
        .init(content: [.text(text: message, annotations: nil, _meta: nil)], isError: true)
    }
}

/// Lines for a person on standard error (standard output is the protocol): what is served, and tools that failed,
/// in the same words the tool result gives. Never arguments or file contents.
enum MCPLog {
    static func note(_ line: String) {
        // A plain write(2): standard error may share its file with the non-blocking standard output (a terminal), and
        // a log line that could not be written is no reason to fail.
        let bytes = Array("gstacks mcp: \(line)\n".utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
