import ArgumentParser
@testable import GlobalStacksCLI
import Testing

/// What the binary does to its words before parsing: `--context` from anywhere, and "did you mean".
@Suite("Command-line words")
struct CommandLineWordsTests {
    struct Root: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "gstacks", subcommands: [Tenants.self, Sandboxes.self])
    }

    struct Tenants: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "tenants", subcommands: [Leaf.self])
    }

    struct Sandboxes: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sandboxes", subcommands: [Leaf.self])
    }

    struct Leaf: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list")
    }

    @Test func contextIsTakenFromAnywhereBeforeTheSandboxCommand() {
        let hoisted = CommandLineWords.hoistingContext(["--context", "prod", "sandboxes", "list", "-o", "json"])
        #expect(hoisted.words == ["sandboxes", "list", "-o", "json"] && hoisted.context == "prod")
        #expect(CommandLineWords.hoistingContext(["sandboxes", "list", "--context=dev"]).context == "dev")
        let command = CommandLineWords.hoistingContext(["sandboxes", "exec", "ID", "--", "env", "--context", "x"])
        #expect(command.words == ["sandboxes", "exec", "ID", "--", "env", "--context", "x"] && command.context == nil, "after -- every word is the command's")
        #expect(CommandLineWords.hoistingContext(["whoami", "--context"]).words == ["whoami", "--context"], "left for the parser to refuse")
    }

    @Test func aMistypedCommandGetsADidYouMean() {
        #expect(CommandLineWords.suggestion(for: ["tenatns", "list"], root: Root.self)?.contains("Did you mean 'tenants'?") == true)
        #expect(CommandLineWords.suggestion(for: ["sandbox", "list"], root: Root.self)?.contains("Did you mean 'sandboxes'?") == true)
        #expect(CommandLineWords.suggestion(for: ["tenants", "lsit"], root: Root.self)?.contains("for 'gstacks tenants'. Did you mean 'list'?") == true)
        #expect(CommandLineWords.suggestion(for: ["zebra"], root: Root.self) == nil, "nothing close")
        #expect(CommandLineWords.suggestion(for: ["tenants", "list", "extra"], root: Root.self) == nil, "known commands")
    }
}
