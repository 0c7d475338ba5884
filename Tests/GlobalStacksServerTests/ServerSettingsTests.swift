import Foundation
import GlobalStacksServer
import Testing

/// Each setting is declared once and read from its flag, its environment variable, the config file, else its default.
@Suite("Server settings")
struct ServerSettingsTests {
    static func configFile(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-settings-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aFlagWinsOverItsVariableWhichWinsOverTheConfigFile() async throws {
        let file = try Self.configFile(#"{"port": 7001, "bcrypt-cost": 5, "host": "0.0.0.0", "secure-cookies": true}"#)
        let environment = ["GSTACKS_PORT": "7002", "GSTACKS_BCRYPT_COST": "6", "GSTACKS_CONFIG": file, "PORT": "9999"]
        let configuration = try await ServerSettings.configuration(arguments: ["--port", "7003"], environment: environment)
        #expect(configuration.port == 7003, "the flag")
        #expect(configuration.bcryptCost == 6, "the variable")
        #expect(configuration.host == "0.0.0.0" && configuration.secureCookies, "the file")
        #expect(configuration.workers.count == ServerConfiguration().workers.count, "the default")

        let fromFileOnly = try await ServerSettings.configuration(arguments: ["--config", file], environment: [:])
        #expect(fromFileOnly.port == 7001)

        // Values are taken whole (commas included), and a bare flag wins over its variable.
        let whole = try await ServerSettings.configuration(
            arguments: ["--database-url", "postgres://u@h/db?options=a,b", "--secure-cookies", "--admin-password=--x,y"],
            environment: ["GSTACKS_SECURE_COOKIES": "0"]
        )
        #expect(whole.database == .postgres(url: "postgres://u@h/db?options=a,b") && whole.secureCookies && whole.initialAdminPassword == "--x,y")
    }

    @Test func derivedSettingsFollowTheDataDirectoryAndTheDatabase() async throws {
        let sqlite = try await ServerSettings.configuration(arguments: ["--data-dir=/srv/gs", "--embedded-agent"], environment: ["GSTACKS_LOG_LEVEL": "debug"])
        #expect(sqlite.database == .sqlite(path: "/srv/gs/gstacks.sqlite"))
        #expect(sqlite.embeddedAgentDirectory == "/srv/gs/embedded-agent" && sqlite.logLevel == "debug")
        let postgres = try await ServerSettings.configuration(
            arguments: [], environment: ["GSTACKS_DATABASE_URL": "postgres://u@h/db", "GSTACKS_SECURE_COOKIES": "yes", "GSTACKS_ALLOW_SIGNUP": "0"]
        )
        #expect(postgres.database == .postgres(url: "postgres://u@h/db") && postgres.secureCookies && !postgres.allowSignUp)
        #expect(try await ServerSettings.configuration(arguments: [], environment: [:]).embeddedAgentDirectory == nil)
    }

    @Test func badSettingsAreRefusedWithWordsThatSayWhatToDo() async throws {
        let refusals: [([String], [String: String], String)] = [
            (["--prot", "1"], [:], "Unknown option '--prot'"),
            (["--port", "9000", "--port", "9001"], [:], "--port is given twice"),
            (["--port", "9000", "9001"], [:], "'9001' is not an option"),
            (["-p", "9000"], [:], "'-p' is not an option"),
            (["--port"], [:], "--port needs a value"),
            (["--port", "0"], [:], "--port (GSTACKS_PORT) must be a whole number in 1…65535 (got '0')"),
            ([], ["GSTACKS_BCRYPT_COST": "lots"], "--bcrypt-cost (GSTACKS_BCRYPT_COST) must be a whole number in 4…31"),
            ([], ["GSTACKS_LOG_LEVEL": "loud"], "--log-level (GSTACKS_LOG_LEVEL) is one of trace, debug"),
            ([], ["GSTACKS_SECURE_COOKIES": "maybe"], "is on or off"),
            (["--config", try Self.configFile(#"{"prot": 1}"#)], [:], "names 'prot', which is not a setting"),
            (["--config", try Self.configFile("[1, 2]")], [:], "is not a JSON object of settings"),
            (["--config", "/nonexistent/gstacks.json"], [:], "cannot be read"),
        ]
        for (arguments, environment, words) in refusals {
            do {
                _ = try await ServerSettings.configuration(arguments: arguments, environment: environment)
                Issue.record("\(arguments) \(environment) was accepted")
            } catch let error as SettingError {
                #expect(error.description.contains(words), "\(error.description)")
            }
        }
    }

    @Test func helpTellsEveryOptionAndItsVariable() {
        for setting in ServerSettings.all {
            #expect(ServerSettings.help.contains(setting.flag) && ServerSettings.help.contains("[\(setting.environmentVariable)]"), "\(setting.key)")
        }
        #expect(ServerSettings.help.contains("--port <1…65535>  [GSTACKS_PORT]") && ServerSettings.help.contains("Default: 8080."))
        #expect(ServerSettings.help.contains("--config <text>  [GSTACKS_CONFIG]"), "the config file setting is listed too")
    }
}
