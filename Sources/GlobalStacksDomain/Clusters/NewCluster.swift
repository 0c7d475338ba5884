/// A cluster to create, validated.
public struct NewCluster: Sendable {
    public let ownership: ClusterOwnership
    public let name: String
    /// Nil derives one from the name.
    public let slug: Slug?
    public let provider: String
    public let metadata: [String: String]

    /// `provider` nil is the ownership's default.
    public init(ownership: ClusterOwnership, name: String, slug: String?, provider: String?, metadata: [String: String]?) throws {
        self.ownership = ownership
        self.name = try Validation.name(name)
        self.slug = try slug.map { try Slug(validating: $0) }
        self.provider = try Validation.name(provider ?? Cluster.defaultProvider(for: ownership), field: "provider")
        self.metadata = try Validation.metadata(metadata)
    }
}
