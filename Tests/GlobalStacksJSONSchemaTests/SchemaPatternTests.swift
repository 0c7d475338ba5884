import Foundation
@testable import GlobalStacksJSONSchema
import Testing

/// `pattern` and `patternProperties` come from manifests and run on the request path: they must be matched in time
/// linear in the string (a backtracking engine took seconds to minutes on these), with ECMA-262's answers.
@Suite("JSON Schema patterns")
struct SchemaPatternTests {
    static func matches(_ pattern: String, _ subject: String) throws -> Bool? {
        var budget = SchemaPattern.stepBudget
        return try SchemaPattern(pattern).matches(subject, budget: &budget)
    }

    /// A string as JSON text, as messages quote patterns.
    static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return String(decoding: try! encoder.encode(text), as: UTF8.self)
    }

    static func refusal(_ pattern: String) throws -> String? {
        try JSONSchemaTests.refusal(#"{"properties": {"region": {"pattern": \#(Self.quoted(pattern))}}}"#)
    }

    /// The classic catastrophic patterns against 40-odd characters that almost match: exponential for a backtracking
    /// engine (`^(a+)+$` with 41 characters took 0.65 s, each further "a" doubles it), instant here.
    @Test func catastrophicPatternsAreAnsweredWithoutBacktracking() throws {
        let a40 = String(repeating: "a", count: 40)
        let cases: [(pattern: String, subject: String, matches: Bool)] = [
            (#"^(a+)+$"#, a40 + "!", false),
            (#"(a|aa)+$"#, a40 + "!", false),
            (#"^(a|a?)+$"#, a40 + "!", false),
            (#"(a|a?)+$"#, a40 + "!", true),  // the empty match at the end
            (#"^(\w+\s?)*$"#, String(repeating: "word ", count: 8) + "!", false),
            (#"^(\w+\s?)*$"#, String(repeating: "word ", count: 8), true),
            (#"^(a*)*b$"#, String(repeating: "a", count: 50), false),
            (#"^([a-z0-9]+([._-][a-z0-9]+)*)+@x\.com$"#, String(repeating: "a.", count: 25) + "@x.co", false),
        ]
        for (pattern, subject, expected) in cases {
            #expect(try Self.matches(pattern, subject) == expected, "\(pattern) against \(subject)")
        }
        // Through a schema, as a settings update meets it, and as a property name.
        let schema = try JSONSchemaTests.schema(#"{"properties": {"name": {"pattern": "^(a+)+$"}}, "patternProperties": {"^(a|aa)+$": false}}"#)
        #expect(schema.validate(.object(["name": .string(a40 + "!")])).map(\.description) == [#"name: must match the pattern "^(a+)+$""#])
        #expect(schema.isValid(.object([a40 + "!": .number(1)])))
        #expect(!schema.isValid(.object([a40: .number(1)])))
    }

    @Test func backtrackingFeaturesAreRefusedWhenTheSchemaIsRead() throws {
        let unsupported = [
            #"(a)\1"#: "backreference '\\1'", #"(?<x>a)\k<x>"#: "named backreference '\\k'", #"a(?=b)"#: "lookahead '(?='",
            #"a(?!b)"#: "lookahead '(?!'", #"(?<=a)b"#: "lookbehind '(?<='", #"(?<!a)b"#: "lookbehind '(?<!'", #"(?i)a"#: "inline flags",
        ]
        for (pattern, feature) in unsupported {
            let message = try #require(try Self.refusal(pattern))
            #expect(message.hasPrefix("settingsSchema.properties.region.pattern: unsupported regular expression \(Self.quoted(pattern)): it uses a \(feature)"), "\(message)")
        }
        #expect(try Self.refusal(#"a{5001}"#) == #"settingsSchema.properties.region.pattern: the pattern "a{5001}" is too expensive to evaluate: it repeats something more than 5000 times"#)
        #expect(try Self.refusal(#"(a{100}){100}"#)?.hasSuffix("is too expensive to evaluate: it has more than 5000 steps once its repetitions are written out") == true)
        #expect(try Self.refusal(String(repeating: "a", count: 1_001))?.hasSuffix("is too expensive to evaluate: it is longer than 1000 characters") == true)
        #expect(try Self.refusal(String(repeating: "a", count: 1_000)) == nil)
        #expect(try Self.refusal(#"^[a-z0-9]{1,63}(\.[a-z0-9]{1,63}){0,4}$"#) == nil)
    }

    /// A string longer than the limit is never passed unchecked, not even under `not`.
    @Test func tooLongStringsAreViolationsEvenInsideNot() throws {
        let long = String(repeating: "x", count: SchemaPattern.maxSubjectLength + 1)
        let schema = try JSONSchemaTests.schema(#"{"properties": {"a": {"pattern": "x"}, "b": {"not": {"pattern": "y"}}}, "patternProperties": {"z": true}}"#)
        let message = #"cannot be checked against the pattern "x": it is longer than 10000 characters"#
        #expect(schema.validate(.object(["a": .string(long)])).map(\.description) == ["a: " + message])
        #expect(!schema.isValid(.object(["b": .string(long)])))
        #expect(schema.validate(.object(["b": .string(long)])).first?.message.hasPrefix(#"cannot be checked against the pattern "y""#) == true)
        #expect(!schema.isValid(.object([long: .null])))
        #expect(schema.isValid(.object(["a": .string(String(long.dropFirst())), "b": .string(String(long.dropFirst()))])))
    }

    /// However many strings a value holds, its patterns take at most `stepBudget` steps together.
    @Test func onePatternWorkBudgetPerValidation() throws {
        let schema = try JSONSchemaTests.schema(#"{"items": {"pattern": "[ab]{0,1000}z"}}"#)
        let strings = Array(repeating: JSONValue.string(String(repeating: "ab", count: 4_000)), count: 100)
        let violations = schema.validate(.array(strings))
        #expect(violations.first?.description == #"0: cannot be checked against the pattern "[ab]{0,1000}z": the value's strings take too long to match against its patterns (send shorter or fewer strings)"#)
        #expect(!schema.isValid(.array(strings)))
        #expect(schema.isValid(.array(Array(repeating: .string("abz"), count: 100))))
    }

    /// ECMA-262 (Unicode mode) answers, where other engines differ.
    @Test func ecmaSemantics() throws {
        let cases: [(String, String, Bool)] = [
            ("^abc$", "abc\n", false), ("^a.c$", "a\nc", false), ("^a.c$", "a\u{1F600}c", true), ("^.$", "\u{1F432}", true),
            ("^\u{1F432}*$", "\u{1F432}\u{1F432}", true), (#"^\uD83D\uDC32$"#, "\u{1F432}", true), (#"^\u{1F432}$"#, "\u{1F432}", true),
            (#"\bfoo\b"#, "a foo.", true), (#"\bfoo\b"#, "afoo", false), (#"\Boo"#, "foo", true), (#"^\cJ$"#, "\n", true),
            (#"^[^a-c\d]+$"#, "xyz", true), (#"^[^a-c\d]+$"#, "xbz", false), (#"^[\w-]+$"#, "a-b_c", true), (#"^[\D]$"#, "1", false),
            (#"^[\s\S]$"#, "\n", true), ("^[]$", "", false), ("^[^]$", "\n", true), (#"^\x41\u0042\0$"#, "AB\u{0}", true),
            (#"^\p{L}+$"#, "école", true), (#"^\p{Lu}$"#, "é", false), (#"^\P{L}$"#, "1", true), (#"^[\p{N}x]+$"#, "x\u{09EA}", true),
            (#"^[\P{L}]$"#, "a", false), ("^a{2,3}$", "aaaa", false), ("^a{2,3}?$", "aaa", true), ("^a{2,}$", "aaaaa", true),
            ("^(?:ab|cd)+?$", "abcdab", true), ("^(?<year>[0-9]{4})-[0-9]{2}$", "2024-05", true), ("a{,5}", "a{,5}", true),
            ("x{", "x{", true), ("]}", "]}", true), ("^(|a)b$", "b", true), (#"^\/\.\-$"#, "/.-", true), ("^[a-]$", "-", true),
            ("^(a|b)*c$", "ababx", false), ("es", "test", true), (#"\s"#, "\u{FEFF}", true), (#"^\w$"#, "é", false),
        ]
        for (pattern, subject, expected) in cases {
            #expect(try Self.matches(pattern, subject) == expected, "\(pattern) against \(subject.debugDescription)")
        }
        for pattern in ["(", ")", "[a-", "a**", "*a", "{2}", "^*", #"[z-a]"#, #"[\d-z]"#, #"\q"#, #"\c1"#, #"\x4"#, #"\p{Nope}"#, #"\01"#] {
            #expect(throws: SchemaPattern.Refusal.self, "\(pattern)") { try SchemaPattern(pattern) }
        }
    }
}
