import Foundation

public enum ClusterOwnership: String, Sendable, Codable {
    /// Brought by a tenant; belongs to that tenant.
    case byo
    /// Platform capacity run by operators; visible to every tenant.
    case globalstacksManaged = "globalstacks-managed"
}

public enum ClusterStatus: String, Sendable, Codable, CaseIterable {
    case provisioning
    case active
    case paused
    case archived

    /// provisioning → active; active ⇄ paused; anything but archived → archived. Archived is final.
    public func canTransition(to next: ClusterStatus) -> Bool {
        if next == self { return true }
        switch (self, next) {
        case (.provisioning, .active), (.active, .paused), (.paused, .active): return true
        case (.archived, _): return false
        case (_, .archived): return true
        default: return false
        }
    }
}

public struct Cluster: Sendable, Equatable {
    public let id: ClusterID
    /// The owning tenant of a `byo` cluster; nil for managed clusters.
    public let tenantID: TenantID?
    public var name: String
    public let slug: Slug
    public let ownership: ClusterOwnership
    public let provider: String
    public var status: ClusterStatus
    public var metadata: [String: String]
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: ClusterID, tenantID: TenantID?, name: String, slug: Slug, ownership: ClusterOwnership, provider: String,
        status: ClusterStatus, metadata: [String: String], createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.slug = slug
        self.ownership = ownership
        self.provider = provider
        self.status = status
        self.metadata = metadata
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static func defaultProvider(for ownership: ClusterOwnership) -> String {
        ownership == .byo ? "self-hosted" : "globalstacks"
    }
}

/// A validated change to a cluster.
public struct ClusterChange: Sendable {
    public var name: String?
    public var status: ClusterStatus?
    public var metadata: [String: String]?

    public init(name: String? = nil, status: ClusterStatus? = nil, metadata: [String: String]? = nil) {
        self.name = name
        self.status = status
        self.metadata = metadata
    }

    public func applied(to cluster: Cluster, at now: Date) throws -> Cluster {
        var updated = cluster
        if let name { updated.name = name }
        if let status {
            guard cluster.status.canTransition(to: status) else {
                throw DomainError.conflict("A cluster cannot go from \(cluster.status.rawValue) to \(status.rawValue).")
            }
            updated.status = status
        }
        if let metadata { updated.metadata = metadata }
        updated.updatedAt = now
        return updated
    }
}
