import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain

/// Clusters in the shape of the API.
extension APIMapping {
    static func cluster(_ cluster: Cluster) -> Components.Schemas.Cluster {
        .init(
            id: cluster.id.rawValue, createdAt: cluster.createdAt, updatedAt: cluster.updatedAt,
            name: cluster.name, slug: cluster.slug.rawValue, ownership: .init(rawValue: cluster.ownership.rawValue)!,
                provider: cluster.provider, status: .init(rawValue: cluster.status.rawValue)!,
                metadata: .init(additionalProperties: cluster.metadata)
        )
    }
}
