import Foundation
@testable import GlobalStacksJSONSchema
import Testing

/// Runs the official JSON-Schema-Test-Suite (draft 2020-12, as vendored in the jsonschema 4.26.0 sdist) against
/// `JSONSchema`. `GSTACKS_JSON_SCHEMA_SUITE` names its `tests/draft2020-12` directory
/// (`scripts/lib/fetch-json-schema-suite.sh` prints it); docs/json-schema.md records the figure.
///
/// A group whose schema uses an unsupported keyword must be refused when parsed — counted as "refused", never run
/// with the keyword ignored. Every case of an accepted schema must give the suite's answer, except `knownFailures`.
@Suite("JSON-Schema-Test-Suite (draft 2020-12)")
struct JSONSchemaTestSuiteTests {
    struct KnownFailure: Hashable {
        let file: String
        let group: String
        let test: String
        let reason: String
    }

    /// Cases that cannot pass, each with why. A listed case that passes (or no longer exists) fails the test too.
    static let knownFailures: [KnownFailure] = []

    /// Files run, cases run and cases refused, as docs/json-schema.md records them.
    static let documentedFigure = [39, 925, 36]

    /// The keyword a file tests, when its name is not that keyword; nil for files about the core (always run).
    static func keyword(ofFile name: String) -> String? {
        switch name {
        case "boolean_schema", "infinite-loop-detection": nil
        case "if-then-else": "if"
        case "content": "contentMediaType"
        case "refRemote": "$ref to another document"  // not a keyword we support: the file is skipped
        case "anchor", "defs", "dynamicRef", "ref", "vocabulary": "$" + name
        default: name
        }
    }

    struct Group: Decodable {
        let description: String
        let schema: JSONValue
        let tests: [Case]
    }

    struct Case: Decodable {
        let description: String
        let data: JSONValue
        let valid: Bool
    }

    @Test func draft2020_12() throws {
        guard let directory = ProcessInfo.processInfo.environment["GSTACKS_JSON_SCHEMA_SUITE"], !directory.isEmpty else {
            if ProcessInfo.processInfo.environment["GSTACKS_REQUIRE_JSON_SCHEMA_SUITE"] == "1" {
                Issue.record("GSTACKS_REQUIRE_JSON_SCHEMA_SUITE=1 but GSTACKS_JSON_SCHEMA_SUITE is not set (scripts/lib/fetch-json-schema-suite.sh)")
            } else {
                print("NOTE: GSTACKS_JSON_SCHEMA_SUITE is not set; the JSON-Schema-Test-Suite run is skipped.")
            }
            return
        }
        // `optional/` is not listed: only the files directly in the directory.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        try #require(!files.isEmpty, "no .json files in \(directory)")

        var tally = Tally()
        var unseenKnownFailures = Set(Self.knownFailures)
        var skippedFiles: [String] = []
        for file in files {
            let name = String(file.dropLast(".json".count))
            if let keyword = Self.keyword(ofFile: name), !JSONSchema.supportedKeywords.contains(keyword) {
                skippedFiles.append(name)
                continue
            }
            tally.files += 1
            let url = URL(fileURLWithPath: directory).appendingPathComponent(file)
            let groups = try JSONDecoder().decode([Group].self, from: Data(contentsOf: url))
            for group in groups {
                tally.groups += 1
                let schema: JSONSchema
                do {
                    schema = try JSONSchema(group.schema, field: "schema")
                } catch let error as JSONSchemaRefusal where error.message.contains("unsupported") {
                    tally.refuse(group, because: error.message)
                    continue
                } catch {
                    Issue.record("\(file) / \(group.description): schema refused: \(error)")
                    continue
                }
                for test in group.tests {
                    tally.run += 1
                    let known = Self.knownFailures.first { $0.file == file && $0.group == group.description && $0.test == test.description }
                    if let known { unseenKnownFailures.remove(known) }
                    if schema.isValid(test.data) == test.valid {
                        tally.passed += 1
                        if known != nil { Issue.record("\(file) / \(group.description) / \(test.description): listed as a known failure but passes; remove it") }
                    } else if known != nil {
                        tally.knownFailures += 1
                    } else {
                        let violations = schema.validate(test.data).map(\.description).joined(separator: "; ")
                        Issue.record("\(file) / \(group.description) / \(test.description): expected \(test.valid ? "valid" : "invalid"), got \(test.valid ? violations : "valid")")
                    }
                }
            }
        }
        #expect(tally.run > 0, "no case run from \(directory)")
        // Refusing more than before would pass unnoticed otherwise; the suite is pinned (jsonschema 4.26.0).
        #expect([tally.files, tally.run, tally.refused] == Self.documentedFigure, "the figure in docs/json-schema.md changed: update it")
        for known in Self.knownFailures where unseenKnownFailures.contains(known) {
            Issue.record("\(known.file) / \(known.group) / \(known.test): listed as a known failure but not run (refused or gone); remove it")
        }
        print("JSON-Schema-Test-Suite draft2020-12: \(tally.files) files, \(tally.groups) groups, \(tally.run) cases run, \(tally.passed) passed, \(tally.refused) refused (\(tally.refusedGroups) groups), \(tally.knownFailures) known failures")
        print("  skipped files (unsupported keyword): \(skippedFiles.joined(separator: ", "))")
        print("  refused groups by keyword: \(tally.refusals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
    }

    struct Tally {
        var files = 0, groups = 0, run = 0, passed = 0, refused = 0, refusedGroups = 0, knownFailures = 0
        /// Refused groups by the quoted keyword (or reason) in the refusal.
        var refusals: [String: Int] = [:]

        mutating func refuse(_ group: Group, because message: String) {
            refused += group.tests.count
            refusedGroups += 1
            refusals[Self.reason(message), default: 0] += 1
        }

        /// "…: unsupported JSON Schema keyword '$anchor' (…)" → "$anchor"; "…: unsupported remote $ref '…'" → "remote $ref".
        static func reason(_ message: String) -> String {
            guard let start = message.range(of: "unsupported ")?.upperBound else { return message }
            let parts = message[start...].components(separatedBy: " '")
            guard parts[0] == "JSON Schema keyword", parts.count > 1 else { return parts[0] }
            return String(parts[1].prefix { $0 != "'" })
        }
    }
}
