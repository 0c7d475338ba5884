// JSON values and the JSON Schema validator live in a module of their own (generic, Foundation only); the domain's
// manifests, settings and agent payloads are made of them, so every module that imports the domain sees them too.
@_exported import GlobalStacksJSONSchema

extension JSONSchema {
    /// `init(_:field:)` with its refusal as the domain's invalid input (what manifests and settings report).
    static func checked(_ document: JSONValue, field: String) throws -> JSONSchema {
        do {
            return try JSONSchema(document, field: field)
        } catch let refusal as JSONSchemaRefusal {
            throw DomainError.invalidInput(refusal.message)
        }
    }
}
