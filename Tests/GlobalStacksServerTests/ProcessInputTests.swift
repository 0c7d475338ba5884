import Foundation
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import Testing

/// What a process is started with, through a real server and agent: control characters (NUL above all) are refused
/// with a 400 naming the field on every path, before anything runs or is recorded. A NUL in an exec's environment
/// name used to make `env` run the name as the program.
@Suite("Process input end to end", .serialized)
struct ProcessInputTests {
    /// Refused input with the words the message must hold.
    static let refused: [(command: [String], environment: [String: String], directory: String?, words: String)] = [
        (["/bin/true"], ["/bin/echo\u{0}": "x"], nil, #"environment name "/bin/echo\0" must not contain control characters (found U+0000)"#),
        (["/bin/true\u{0}"], [:], nil, "command[0] must not contain NUL"),
        (["/bin/echo", "a\u{1B}[2J"], [:], nil, "command[1] must not contain NUL or control characters other than tab and line breaks (found U+001B)"),
        (["/bin/echo", "a\u{7F}"], [:], nil, "command[1]"),
        (["/bin/true"], ["": "x"], nil, "environment names must not be empty"),
        (["/bin/true"], ["A=B": "x"], nil, #"environment name "A=B" must not contain '='"#),
        (["/bin/true"], ["A\u{7F}": "x"], nil, #"environment name "A\u{7F}""#),
        (["/bin/true"], ["A": "x\u{0}y"], nil, #"environment value of "A" must not contain NUL"#),
        (["/bin/true"], [:], "sub\u{0}", "workingDirectory must not contain control characters (found U+0000)"),
        (["/bin/true"], [:], "sub\ndir", "workingDirectory"),
    ]

    @Test(.enabled(if: ServerProcess.isBuilt, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func controlCharactersAreRefusedOnEveryPathNamingTheField(_ engine: TestEngine) async throws {
        let installation = try await SandboxEndToEndTests.Installation.start(engine)
        let api = installation.api

        let created = await SandboxWorkspaceTests.refusal { try await api.createSandbox(command: ["/bin/sh", "-c", "sleep 600\u{7F}"]) }
        #expect(created?.status == 400 && created?.message.contains("command[2]") == true, "\(String(describing: created))")
        let createdWithNUL = await SandboxWorkspaceTests.refusal { try await api.createSandbox(command: ["sleep", "600"], environment: ["A": "x\u{0}"]) }
        #expect(createdWithNUL?.status == 400 && createdWithNUL?.message.contains(#"environment value of "A""#) == true, "\(String(describing: createdWithNUL))")

        let id = try await SandboxWorkspaceTests.running(installation)
        for (command, environment, directory, words) in Self.refused {
            let exec = await SandboxWorkspaceTests.refusal { try await api.exec(id, command, environment: environment, workingDirectory: directory) }
            #expect(exec?.status == 400 && exec?.message.contains(words) == true, "exec \(command) \(environment): \(String(describing: exec))")
            let process = await SandboxWorkspaceTests.refusal {
                try await api.startProcess(id, command, environment: environment, workingDirectory: directory)
            }
            #expect(process?.status == 400 && process?.message.contains(words) == true, "process \(command) \(environment): \(String(describing: process))")
        }

        // Tab and line breaks are text: a script for `sh -c`, a value of several lines.
        let text = try await api.exec(id, ["/bin/sh", "-c", "printf '%s|' \"$V\"\necho\tdone"], environment: ["V": "one\ntwo\tthree\r"])
        #expect(text.exitCode == 0 && text.stdout == "one\ntwo\tthree\r|done\n", "\(text)")
        #expect(try await api.execHistory(id).map(\.command) == [["/bin/sh", "-c", "printf '%s|' \"$V\"\necho\tdone"]], "nothing refused was recorded")

        // The streaming exec answers in its error message, as for its other refusals.
        let stream = try await ExecStreamTests.connect(installation, id, start: #"{"command":["/bin/true"],"environment":{"/bin/echo\u0000":"x"}}"#) { _, _ in }
        let final = await stream.final
        let message = ((try? JSONSerialization.jsonObject(with: Data(final.text.utf8))) as? [String: Any])?["message"] as? String
        #expect(final.type == "error" && message?.contains(Self.refused[0].words) == true, "\(final.text)")
        #expect(try await api.execHistory(id).count == 1)
    }
}
