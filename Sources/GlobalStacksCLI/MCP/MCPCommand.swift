import ArgumentParser
import Foundation
import GlobalStacksDomain
import MCP

/// `gstacks mcp`: a Model Context Protocol server on standard input and output, so that an AI agent's client (Claude
/// Desktop, an IDE, an agent framework) can make sandboxes, run commands and read and write files in them with this
/// context's sign-in. An edge like the CLI's commands: each tool makes their calls; errors are tool results.
public struct MCPCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the Model Context Protocol on standard input and output: sandbox tools for an AI agent, as this context.",
        discussion: """
            An MCP client starts it: the command `gstacks` with the arguments `mcp` (and `--context NAME` for another context than the \
            current one). Tools: \(tools.map(\.definition.name).joined(separator: ", ")). Logs go to standard error. See docs/mcp.md.
            """
    )

    /// The tools, in the order clients list them.
    static let tools = [MCPSandboxTools.create, MCPSandboxTools.list, MCPRunCommandTool.tool] + MCPFileTools.all
        + [MCPSandboxTools.stop, MCPSandboxTools.delete]

    @OptionGroup var context: ContextOptions

    public init() {}

    public func run() async throws {
        let context = context
        let byName = Dictionary(uniqueKeysWithValues: Self.tools.map { ($0.definition.name, $0) })
        let server = Server(
            name: "gstacks", version: GlobalStacksVersion.current.description, title: "GlobalStacks sandboxes",
            instructions: """
                Tools for GlobalStacks sandboxes: isolated Linux environments of the signed-in tenant. Create one with create_sandbox, \
                run commands in it with run_command, read and write its files with read_file, write_file and list_files, and stop it \
                with stop_sandbox when done.
                """,
            capabilities: .init(tools: .init(listChanged: false))
        )
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: Self.tools.map(\.definition)) }
        await server.withMethodHandler(CallTool.self) { call in
            guard let tool = byName[call.name] else {
                return .failure("No tool '\(call.name)'; the tools are \(Self.tools.map(\.definition.name).joined(separator: ", ")).")
            }
            return await tool.call(call.arguments ?? [:], context: context)
        }

        do {
            let (_, name, signedIn) = try context.client()
            MCPLog.note("serving context \(name) (\(signedIn.user) at \(signedIn.server)) on standard input and output")
        } catch {
            MCPLog.note("\(CLIError(describing: error).message) Every tool answers with this until then.")
        }
        let streams = StandardStreamFlags()
        defer { streams.restore() }
        let transport = MCPStdioTransport()
        try await server.start(transport: transport)
        await server.waitUntilCompleted()
        await transport.untilAnswered()
    }
}

/// The transport makes standard input and output non-blocking; on a terminal they are the shell's too, so they are
/// given back as they were.
private struct StandardStreamFlags {
    private let flags = [STDIN_FILENO, STDOUT_FILENO].map { ($0, fcntl($0, F_GETFL)) }

    func restore() {
        for (descriptor, flag) in flags where flag >= 0 { _ = fcntl(descriptor, F_SETFL, flag) }
    }
}
