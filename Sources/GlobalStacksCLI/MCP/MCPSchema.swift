import Foundation
import GlobalStacksDomain
import MCP

/// The pieces the tools' input schemas (JSON Schema, as MCP's `Value`) are made of. Each schema is both what a client
/// lists and what a call's arguments are checked against (`GlobalStacksJSONSchema`), so the bounds a model reads are
/// the ones enforced.
enum MCPSchema {
    /// An object with exactly these properties (no others), `required` among them.
    static func object(_ properties: [String: Value], required: [String] = []) -> Value {
        ["type": "object", "properties": .object(properties), "required": .array(required.map { .string($0) }), "additionalProperties": false]
    }

    static func string(_ description: String, maxLength: Int = 4_096) -> Value {
        ["type": "string", "description": .string(description), "maxLength": .int(maxLength)]
    }

    static let sandboxID: Value = [
        "type": "string", "description": "The sandbox's id (a UUID, as create_sandbox and list_sandboxes return it).",
        "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    ]

    static func workspacePath(_ description: String) -> Value {
        string(description + " Relative to the sandbox's workspace (its working directory); `/workspace/…` is accepted too, and no path leads out of it.")
    }

    /// String values by name, as environment variables and labels are.
    static func stringMap(_ description: String, maxValueLength: Int) -> Value {
        [
            "type": "object", "description": .string(description), "maxProperties": 64,
            "propertyNames": ["minLength": 1, "maxLength": 256], "additionalProperties": ["type": "string", "maxLength": .int(maxValueLength)],
        ]
    }
}

extension JSONValue {
    /// The same JSON as MCP's value. A string the MCP library took for a data URL (`data:…,…`) is given back in its
    /// own encoding of one, which may differ in form (base64) from what the client sent.
    init(_ value: Value) {
        switch value {
        case .null: self = .null
        case .bool(let bool): self = .bool(bool)
        case .int(let int): self = .number(Double(int))
        case .double(let double): self = .number(double)
        case .string(let string): self = .string(string)
        case .data: self = (try? JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))) ?? .null
        case .array(let array): self = .array(array.map(JSONValue.init))
        case .object(let object): self = .object(object.mapValues(JSONValue.init))
        }
    }
}

extension Value {
    /// The same JSON as MCP's value, built directly: decoding MCP's `Value` from JSON would take a string that looks
    /// like a data URL (a file's text, a command's output) for bytes.
    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let bool): self = .bool(bool)
        case .number(let number): self = number == number.rounded() && abs(number) < 1e15 ? .int(Int(number)) : .double(number)
        case .string(let string): self = .string(string)
        case .array(let array): self = .array(array.map(Value.init))
        case .object(let object): self = .object(object.mapValues(Value.init))
        }
    }
}
