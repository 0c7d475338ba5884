import Foundation
import GlobalStacksDomain
@testable import GlobalStacksCLI
import Testing

/// Tables and JSON as the list commands print them, without a server.
@Suite("Output")
struct OutputTests {
    struct Item: Encodable {
        var id = "a1"
        var command = ["sh", "-c", "echo done; exit 0"]
        var labels: [String] = []
        var settings: [String: JSONValue] = ["region": .string("eu"), "maxObjects": .number(5)]
        var lastHeartbeat = Date(timeIntervalSinceNow: -120)
    }

    static func table(_ values: [Item], _ columns: [String], requested: String? = nil) throws -> [[String]] {
        let objects = try OutputOptions.plain(values)
        let fields = try OutputOptions.fields(requested, defaults: columns, objects: objects)
        return [fields.map { $0.uppercased() }] + objects.map { object in fields.map { OutputOptions.cell(object[$0], key: $0) } }
    }

    @Test func emptyListsAndObjectsAreBracketsOnOneLine() throws {
        #expect(try OutputOptions.json([Item]()) == "[]")
        let nested = try OutputOptions.json(Item(settings: [:]))
        #expect(nested.contains(#""labels" : []"#) && nested.contains(#""settings" : {}"#), "\(nested)")
        // Only layout is touched: a value that looks like an empty list stays as it is.
        #expect(try OutputOptions.json(["[\n]"]).contains(#""[\n]""#))
    }

    @Test func aCommandIsShownAsAShellWouldTakeIt() throws {
        let rows = try Self.table([Item(command: ["/bin/sh", "-c", "echo done; exit 0"]), Item(command: ["sleep", "600"]), Item(command: ["echo", "it's", ""])], ["command"])
        #expect(rows.dropFirst().map(\.[0]) == [#"/bin/sh -c 'echo done; exit 0'"#, "sleep 600", #"echo 'it'\''s' ''"#])
    }

    @Test func objectsShowTheirValuesAndEveryTimeIsRelative() throws {
        let rows = try Self.table([Item()], ["settings", "lastHeartbeat"])
        #expect(rows[1] == ["maxObjects=5,region=eu", "2m ago"], "\(rows)")
    }

    @Test func anUnknownColumnIsAUsageErrorNamingTheColumns() throws {
        #expect(try Self.table([Item()], ["id"], requested: "id,command")[0] == ["ID", "COMMAND"])
        do {
            _ = try Self.table([Item()], ["id"], requested: "id,comand")
            Issue.record("an unknown column was accepted")
        } catch let error as CLIError {
            #expect(error.code == .usage && error.message.contains("'comand'") && error.message.contains("command, id, labels"), "\(error.message)")
        }
    }
}
