/// Why `JSONSchema.init` refused a schema: the message names where, e.g.
/// "settingsSchema.properties.region: unsupported JSON Schema keyword 'dependentSchemas' (supported: …)".
public struct JSONSchemaRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
