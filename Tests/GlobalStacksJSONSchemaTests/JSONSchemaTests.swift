import Foundation
@testable import GlobalStacksJSONSchema
import Testing

@Suite("JSON Schema")
struct JSONSchemaTests {
    static func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    static func schema(_ text: String, field: String = "settingsSchema") throws -> JSONSchema {
        try JSONSchema(json(text), field: field)
    }

    /// The refusal message of a schema, or nil when it is accepted.
    static func refusal(_ text: String, field: String = "settingsSchema") throws -> String? {
        let document = try json(text)
        do {
            _ = try JSONSchema(document, field: field)
            return nil
        } catch let refusal as JSONSchemaRefusal {
            return refusal.message
        }
    }

    static let settings = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "Settings",
          "type": "object",
          "properties": {
            "region": {"enum": ["eu", "us"], "description": "Where it runs", "default": "eu"},
            "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
            "name": {"type": "string", "minLength": 1, "maxLength": 8, "pattern": "^[a-z]+$"},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "maxItems": 3},
            "limits": {"$ref": "#/$defs/limits"},
            "contact": {"type": ["string", "null"], "format": "email"}
          },
          "required": ["region", "replicas"],
          "additionalProperties": false,
          "$defs": {
            "limits": {
              "type": "object",
              "properties": {"cpu": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.25}},
              "dependentRequired": {"cpu": ["memory"]}
            }
          }
        }
        """

    @Test func aSettingsSchemaAcceptsGoodValues() throws {
        let schema = try Self.schema(Self.settings)
        for good in [
            #"{"region": "eu", "replicas": 1}"#,
            #"{"region": "us", "replicas": 10.0, "name": "web", "tags": ["a", "b"], "contact": null}"#,
            #"{"region": "eu", "replicas": 2, "limits": {"cpu": 0.75, "memory": 512}, "contact": "not-an-email"}"#,
        ] {
            #expect(schema.validate(try Self.json(good)) == [], "\(good)")
            #expect(schema.isValid(try Self.json(good)))
        }
    }

    @Test func aSettingsSchemaReportsEveryViolationWithItsPath() throws {
        let schema = try Self.schema(Self.settings)
        let bad = try Self.json(#"""
            {"region": "asia", "replicas": 1.5, "name": "Web-1", "tags": ["a", 2, "a"], "limits": {"cpu": 0.3}, "colour": "red"}
            """#)
        #expect(schema.validate(bad).map(\.description) == [
            #"colour: is not allowed"#,
            #"limits/cpu: must be a multiple of 0.25"#,
            #"limits/memory: is required when "cpu" is present"#,
            #"name: must match the pattern "^[a-z]+$""#,
            #"region: must be one of "eu", "us""#,
            #"replicas: must be an integer, not 1.5"#,
            #"tags/1: must be a string, not a number"#,
            #"tags: must not contain duplicates (items 0 and 2 are equal)"#,
        ])
        #expect(!schema.isValid(bad))
        let missing = schema.validate(try Self.json(#"{"replicas": 0}"#))
        #expect(missing == [
            JSONSchemaViolation(instancePath: "/replicas", message: "must be at least 1"),
            JSONSchemaViolation(instancePath: "/region", message: "is required"),
        ])
        #expect(schema.validate(.array([])).map(\.description) == ["(root): must be an object, not an array"])
    }

    @Test func lengthsCountCodePoints() throws {
        let schema = try Self.schema(#"{"minLength": 2, "maxLength": 2}"#)
        #expect(!schema.isValid(.string("\u{1F4A9}")))  // one code point, two UTF-16 units
        #expect(schema.isValid(.string("e\u{301}")))  // one character, two code points
        #expect(schema.validate(.string("abc")).map(\.message) == ["must be at most 2 characters long"])
    }

    @Test func numbersAreComparedAsJSONNumbers() throws {
        #expect(try Self.schema(#"{"type": "integer"}"#).isValid(.number(1.0)))
        #expect(try !Self.schema(#"{"type": "integer"}"#).isValid(.number(1.5)))
        #expect(try !Self.schema(#"{"type": "number"}"#).isValid(.bool(true)))
        #expect(try Self.schema(#"{"const": {"a": [1, true]}, "enum": [{"a": [1.0, true]}]}"#).isValid(try Self.json(#"{"a": [1, true]}"#)))
        #expect(try !Self.schema(#"{"const": 1}"#).isValid(.bool(true)))
        #expect(try !Self.schema(#"{"enum": [false]}"#).isValid(.number(0)))
        #expect(try !Self.schema(#"{"const": "\u00e9"}"#).isValid(.string("e\u{301}")))  // code points, not canonical equivalence
        let decimals = try Self.schema(#"{"multipleOf": 0.0001}"#)
        #expect(decimals.isValid(.number(0.0075)))
        #expect(!decimals.isValid(.number(0.00751)))
        #expect(try Self.schema(#"{"multipleOf": 0.1}"#).isValid(.number(0.3)))
        #expect(try Self.schema(#"{"multipleOf": 1e-8}"#).isValid(.number(12391239123)))
        #expect(try !Self.schema(#"{"multipleOf": 0.123456789}"#).isValid(.number(1e308)))
    }

    /// The suite's files are decoded the same way: JSONValue tries Bool first, and JSONDecoder keeps 1 a number.
    @Test func decodingKeepsNumbersAndBooleansApart() throws {
        #expect(try Self.json("[1, 0, true, 1.0, 1e308, -0.5]") == .array([.number(1), .number(0), .bool(true), .number(1), .number(1e308), .number(-0.5)]))
    }

    @Test func unsupportedKeywordsAreRefusedWithTheField() throws {
        let message = try Self.refusal(#"{"properties": {"region": {"dependentSchemas": {}}}}"#)
        #expect(message?.hasPrefix("settingsSchema.properties.region: unsupported JSON Schema keyword 'dependentSchemas' (supported: ") == true)
        #expect(try Self.refusal(#"{"prefixItems": [true, {"unevaluatedItems": false}]}"#, field: "operations[0].inputSchema")?
            .hasPrefix("operations[0].inputSchema.prefixItems[1]: unsupported JSON Schema keyword 'unevaluatedItems'") == true)
        #expect(try Self.refusal(#"{"$defs": {"a b": {"foo": 1}}}"#)?.hasPrefix(#"settingsSchema.$defs["a b"]: unsupported JSON Schema keyword 'foo'"#) == true)
        #expect(try Self.refusal(#"{"properties": {"a": {"$id": "a.json"}}}"#)?.hasPrefix("settingsSchema.properties.a: unsupported JSON Schema keyword '$id' below the root") == true)
        #expect(try Self.refusal(#"{"$schema": "http://json-schema.org/draft-07/schema#"}"#)?.contains("unsupported $schema") == true)
        // Names under `properties` are not keywords; values of `enum`, `const`, `default` are not schemas.
        #expect(try Self.refusal(#"{"properties": {"dependentSchemas": {"default": {"foo": 1}}}, "enum": [{"bar": 2}]}"#) == nil)
    }

    @Test func malformedKeywordValuesAreRefused() throws {
        #expect(try Self.refusal(#"{"properties": {"a": {"minLength": -1}}}"#) == "settingsSchema.properties.a.minLength: must be a non-negative integer")
        #expect(try Self.refusal(#"{"type": "strin"}"#)?.hasPrefix(#"settingsSchema.type: "strin" is not a type"#) == true)
        #expect(try Self.refusal(#"{"items": [{"type": "string"}]}"#)?.hasPrefix("settingsSchema.items: must be a schema") == true)
        #expect(try Self.refusal(#"{"required": "a"}"#) == "settingsSchema.required: must be an array")
        #expect(try Self.refusal(#"{"multipleOf": 0}"#) == "settingsSchema.multipleOf: must be greater than 0")
        #expect(try Self.refusal(#"{"not": 3}"#) == "settingsSchema.not: a schema must be an object or a boolean")
        var deep = JSONValue.bool(true)
        for _ in 0..<100 { deep = .object(["not": deep]) }
        #expect(throws: JSONSchemaRefusal(message: "settingsSchema" + String(repeating: ".not", count: 65) + ": schema nested deeper than 64 levels")) {
            try JSONSchema(deep, field: "settingsSchema")
        }
    }

    @Test func badReferencesAreRefused() throws {
        #expect(try Self.refusal(##"{"properties": {"a": {"$ref": "#/$defs/missing"}}}"##)
            == "settingsSchema.properties.a.$ref: unresolvable $ref '#/$defs/missing': no schema at that location in this document")
        #expect(try Self.refusal(#"{"$ref": "https://example.com/other.json"}"#)?.hasPrefix("settingsSchema.$ref: unsupported remote $ref") == true)
        #expect(try Self.refusal(##"{"$ref": "#foo"}"##)?.hasPrefix("settingsSchema.$ref: unsupported $ref to an anchor") == true)
        #expect(try Self.refusal(##"{"enum": [1], "$ref": "#/enum/0"}"##)?.contains("unresolvable $ref") == true)  // not a schema
        #expect(try Self.refusal(##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}}"##)?.contains("circular $ref") == true)
        // References that work: escaped, percent-encoded, through the root $id, and recursion that descends.
        let schema = try Self.schema(#"""
            {"$id": "urn:example:settings",
             "properties": {"x": {"$ref": "#/$defs/a~1b~0c%25"}, "y": {"$ref": "urn:example:settings#/$defs/a~1b~0c%25"},
                            "tree": {"$ref": "#/$defs/tree"}},
             "$defs": {"a/b~c%": {"type": "string"}, "tree": {"type": "array", "items": {"$ref": "#/$defs/tree"}}}}
            """#)
        #expect(schema.isValid(try Self.json(#"{"x": "1", "y": "2", "tree": [[], [[]]]}"#)))
        #expect(schema.validate(try Self.json(#"{"x": 1, "tree": [[3]]}"#)).map(\.description) == ["tree/0/0: must be an array, not a number", "x: must be a string, not a number"])
    }

    @Test func badPatternsAreRefused() throws {
        #expect(try Self.refusal(#"{"properties": {"a": {"pattern": "[a-"}}}"#) == #"settingsSchema.properties.a.pattern: invalid regular expression "[a-": a '[' is not closed with ']'"#)
        #expect(try Self.refusal(#"{"patternProperties": {"(": true}}"#) == #"settingsSchema.patternProperties["("]: invalid regular expression "(": a '(' is not closed"#)
        #expect(try Self.schema(#"{"pattern": "es"}"#).isValid(.string("test")))  // unanchored
        // ECMA-262 classes, not ICU's Unicode ones.
        let word = try Self.schema(#"{"pattern": "^\\w+\\s\\d[^\\s]$"}"#)
        #expect(word.isValid(.string("ab_9 1x")))
        #expect(!word.isValid(.string("é 1x")))
        #expect(!word.isValid(.string("a \u{09EA}x")))  // BENGALI DIGIT FOUR
        #expect(word.isValid(.string("a\u{FEFF}1x")))
        #expect(try Self.schema(#"{"pattern": "^\\\\d$"}"#).isValid(.string("\\d")))  // an escaped backslash
    }

    @Test func deepRecursionStopsWithAViolation() throws {
        let schema = try Self.schema(##"{"items": {"$ref": "#"}}"##)
        var deep = JSONValue.array([])
        for _ in 0..<200 { deep = .array([deep]) }
        #expect(schema.validate(deep).first?.message.hasPrefix("is nested too deeply") == true)
        let winding = try Self.schema(##"{"allOf": [{"anyOf": [{"not": {"not": {"items": {"$ref": "#"}}}}]}]}"##)
        #expect(!winding.isValid(deep))
        var shallow = JSONValue.array([])
        for _ in 0..<20 { shallow = .array([shallow]) }
        #expect(schema.isValid(shallow))
    }

    @Test func violationsAreBounded() throws {
        let schema = try Self.schema(#"{"items": {"type": "string"}}"#)
        #expect(schema.validate(.array(Array(repeating: .number(1), count: 100))).count == JSONSchema.maxViolations)
    }

    @Test func combinatorsAndConditionals() throws {
        let schema = try Self.schema(#"""
            {"oneOf": [{"type": "string"}, {"type": "number"}, {"const": 1}],
             "if": {"type": "string"}, "then": {"minLength": 2}, "else": {"not": {"const": 7}}}
            """#)
        #expect(schema.isValid(.string("ab")))
        #expect(schema.validate(.string("a")).map(\.message) == ["must be at least 2 characters long"])
        #expect(schema.validate(.number(1)).map(\.message) == ["must match exactly one of the 3 schemas in oneOf (matched 2: #1 and #2)"])
        #expect(schema.validate(.number(7)).map(\.message) == ["must not match the schema in not"])
        #expect(schema.validate(.null).map(\.message) == ["must match exactly one of the 3 schemas in oneOf (matched none)"])
        let contains = try Self.schema(#"{"contains": {"const": 1}, "minContains": 2, "maxContains": 3}"#)
        #expect(contains.validate(try Self.json("[1, 2]")).map(\.message) == ["must contain at least 2 items matching the contains schema (found 1)"])
        #expect(try Self.schema(#"{"propertyNames": {"pattern": "^[a-z]+$"}}"#).validate(try Self.json(#"{"Bad": 1}"#)).map(\.description)
            == [#"(root): property name "Bad" must match the pattern "^[a-z]+$""#])
    }

    @Test func schemasAreValuesOfTheirDocument() throws {
        let a = try Self.schema(Self.settings), b = try Self.schema(Self.settings, field: "other")
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(a.document == (try Self.json(Self.settings)))
    }
}
