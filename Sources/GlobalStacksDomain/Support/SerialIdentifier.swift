/// A typed identifier for entities numbered by the database (operation runs, provider connections), whose
/// contracts use integer ids. `SerialIdentifier<OperationRun>` and `SerialIdentifier<ProviderConnection>` cannot be mixed up.
public struct SerialIdentifier<Entity>: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64

    public init(rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// An identifier from a request path or body; nil for anything that cannot be one (ids start at 1).
    public init?(path value: String) {
        guard let number = Int64(value), number >= 1 else { return nil }
        self.init(rawValue: number)
    }

    public var description: String { String(rawValue) }
}

public typealias ProviderConnectionID = SerialIdentifier<ProviderConnection>
public typealias OperationRunID = SerialIdentifier<OperationRun>
