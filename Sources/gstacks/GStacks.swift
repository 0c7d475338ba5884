import ArgumentParser

@main
struct GStacks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gstacks",
        abstract: "GlobalStacks: a self-hosted control plane for secure sandbox execution.",
        subcommands: [ServerCommand.self, AgentCommand.self]
    )
}
