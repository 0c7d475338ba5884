import Foundation
import GlobalStacksDomain

extension JSONValue {
    /// A Codable value as a JSON object, with the protocol's date format.
    static func object(encoding value: some Encodable) throws -> [String: JSONValue] {
        try AgentProtocol.decoder.decode([String: JSONValue].self, from: AgentProtocol.encoder.encode(value))
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from object: [String: JSONValue]) throws -> Value {
        try AgentProtocol.decoder.decode(Value.self, from: AgentProtocol.encoder.encode(object))
    }
}
