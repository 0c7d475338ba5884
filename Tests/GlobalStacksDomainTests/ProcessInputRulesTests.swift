import GlobalStacksDomain
import Testing

/// `Validation.processInput`: the one rule for what every process is started with.
@Suite("Process input rules")
struct ProcessInputRulesTests {
    static func refusal(_ command: [String] = ["/bin/true"], _ environment: [String: String]? = nil, _ directory: String? = nil) -> String? {
        do {
            try Validation.processInput(command: command, environment: environment, workingDirectory: directory)
            return nil
        } catch let error as DomainError {
            #expect(error.kind == .invalidInput)
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func nulAndControlCharactersAreRefusedNamingTheField() {
        #expect(Self.refusal(["/bin/true"], ["/bin/echo\u{0}": "x"]) == #"environment name "/bin/echo\0" must not contain control characters (found U+0000)."#)
        #expect(Self.refusal(["/bin/true\u{0}"]) == "command[0] must not contain NUL or control characters other than tab and line breaks (found U+0000).")
        #expect(Self.refusal(["echo", "\u{1B}[2J"]) == "command[1] must not contain NUL or control characters other than tab and line breaks (found U+001B).")
        #expect(Self.refusal(["echo", "a\u{7F}"])?.hasPrefix("command[1]") == true, "DEL in an argument")
        #expect(Self.refusal(["/bin/true"], ["": "x"]) == "environment names must not be empty.")
        #expect(Self.refusal(["/bin/true"], ["A=B": "x"]) == #"environment name "A=B" must not contain '=' (it ends a name)."#)
        #expect(Self.refusal(["/bin/true"], ["A\tB": "x"])?.hasPrefix(#"environment name "A\tB""#) == true, "no tab in a name")
        #expect(Self.refusal(["/bin/true"], ["A": "x\u{0}"])?.hasPrefix(#"environment value of "A" must not contain NUL"#) == true)
        #expect(Self.refusal(["/bin/true"], ["A": "\u{7}"]) != nil)
        #expect(Self.refusal(["/bin/true"], nil, "sub\u{0}") == "workingDirectory must not contain control characters (found U+0000).")
        #expect(Self.refusal(["/bin/true"], nil, "a\tb") != nil, "no tab in a directory")
    }

    @Test func textPasses() {
        #expect(Self.refusal(["/bin/sh", "-c", "echo a\n\techo b\r\n"]) == nil, "a script: tab and line breaks")
        #expect(Self.refusal(["/bin/true"], ["KEY": "-----BEGIN KEY-----\nabc\n-----END KEY-----\r\n\t", "JSON": "{\"a\":\"\u{7F}\"}"]) == nil)
        #expect(Self.refusal(["/bin/true"], ["npm_config.cache-dir": "x"], "dir with spaces/é") == nil, "any name without control characters or '='")
    }
}
