extension ExtensionManifest {
    /// `"dataPlane": {"kind": "instance", "provider": "postgresql"}` or `{"kind": "objectStore", "provider": "s3"}`:
    /// the extension provisions data-plane instances (its `provision` operation answers how the agent runs the
    /// service) or object stores (its `provision`, `verify` and `delete` operations speak to the S3 endpoint). Those
    /// operations must be declared, with target kind `cluster` (docs/data-plane.md).
    public struct DataPlaneOffer: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable {
            case instance
            case objectStore
        }

        public let kind: Kind
        /// What it provides, in words the API shows (`provider` of an instance).
        public let provider: String

        public var requiredOperations: [String] {
            switch kind {
            case .instance: ["provision"]
            case .objectStore: ["provision", "verify", "delete"]
            }
        }

        init(parsing reader: ManifestReader, operations: [ExtensionOperation]) throws {
            try reader.refuseUnknown(["kind", "provider"])
            let kindText = try reader.string("kind", maxLength: 50)
            guard let kind = Kind(rawValue: kindText) else {
                throw DomainError.invalidInput("dataPlane.kind must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(kindText)').")
            }
            self.kind = kind
            provider = try reader.string("provider", maxLength: 63)
            guard provider.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || "._-".contains($0) }) else {
                throw DomainError.invalidInput("dataPlane.provider may hold only letters, digits, '.', '_' and '-'.")
            }
            for name in requiredOperations {
                guard let operation = operations.first(where: { $0.name == name }) else {
                    throw DomainError.invalidInput("dataPlane of kind \(kind.rawValue) needs an operation named '\(name)'.")
                }
                guard operation.targetKind == "cluster" else {
                    throw DomainError.invalidInput("dataPlane: operation '\(name)' must have targetKind 'cluster'.")
                }
            }
        }
    }
}
