import ArgumentParser
import Foundation
import GlobalStacksAgent

/// `gstacks sandbox-port-relay <port>`: what the agent runs, inside a sandbox's network namespace, to carry one
/// connection to a port of the sandbox (`PortRelay`). Not for people: hidden from help.
struct SandboxPortRelayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: PortRelay.subcommand,
        abstract: "Relay stdin and stdout to a TCP port on loopback (the agent runs this inside a sandbox).",
        shouldDisplay: false
    )

    @Argument(help: "The port, 1 to 65535.")
    var port: Int

    func run() throws {
        Foundation.exit(PortRelay.run(port: port))
    }
}
