import Foundation
@testable import GlobalStacksCLI
import Testing

/// Extension commands from CLI metadata, parsed without a server.
@Suite("Extension command lines")
struct ExtensionCommandLineTests {
    static let metadata = """
        [{"path":["objects","list"],"operation":"objects.list","short":"List objects","output":"table",
          "args":[{"name":"bucket","required":true},{"name":"prefix"}],
          "flags":[{"name":"limit","type":"integer","default":10},{"name":"all","type":"boolean"},{"name":"region","required":true}]},
         {"path":["objects"],"operation":"objects.summary","short":"Summary"}]
        """

    static let line = ExtensionCommandLine(
        key: "acme.store", commands: try! JSONDecoder().decode([ExtensionCommandLine.Command].self, from: Data(metadata.utf8))
    )

    static func usage(_ words: [String]) -> String? {
        do {
            _ = try line.parse(words)
            return nil
        } catch let error as CLIError {
            #expect(error.code == .usage)
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func wordsNameTheLongestCommandAndItsTypedInput() throws {
        let parsed = try Self.line.parse(["objects", "list", "photos", "2024/", "--limit", "5", "--all", "--region=eu"])
        #expect(parsed.command.operation == "objects.list")
        #expect(parsed.input["bucket"] as? String == "photos" && parsed.input["prefix"] as? String == "2024/")
        #expect(parsed.input["limit"] as? Int == 5 && parsed.input["all"] as? Bool == true && parsed.input["region"] as? String == "eu")
        let defaults = try Self.line.parse(["objects", "list", "photos", "--region", "us"])
        #expect(defaults.input["limit"] as? Double == 10 && defaults.input["prefix"] == nil, "declared defaults fill in")
        #expect(try Self.line.parse(["objects"]).command.operation == "objects.summary")
    }

    @Test func mistakesAreUsageErrorsWithTheCommandsHelp() {
        #expect(Self.usage(["objects", "list", "--region", "eu"])?.contains("needs <bucket>") == true)
        #expect(Self.usage(["objects", "list", "b"])?.contains("needs --region") == true)
        #expect(Self.usage(["objects", "list", "b", "--region", "eu", "--limit", "many"])?.contains("whole number") == true)
        #expect(Self.usage(["objects", "list", "b", "--region", "eu", "--color", "red"])?.contains("no flag --color") == true)
        #expect(Self.usage(["objects", "list", "b", "p", "extra", "--region", "eu"])?.contains("takes 2 argument(s)") == true)
        #expect(Self.usage(["buckets"])?.contains("Commands of acme.store") == true)
        #expect(Self.line.help().contains("objects list") && Self.line.help().contains("List objects"))
        let help = Self.line.help(Self.line.commands[0])
        #expect(help.contains("<bucket>") && help.contains("[<prefix>]") && help.contains("--limit <integer>") && help.contains("--target-id"))
    }
}
