import Foundation

/// How many sandboxes of one template each agent of a tenant keeps started and waiting. A create of that template
/// that asks for nothing a waiting sandbox lacks claims one (it becomes the creator's, counted against their quota
/// from then on) and the pool is refilled in the background. A waiting sandbox belongs to the pool's tenant only and
/// counts against nobody's quota.
public struct WarmPool: Sendable, Equatable {
    public let tenantID: TenantID
    public let organizationID: OrganizationID
    public let templateID: TemplateID
    public let size: Int
    /// Who declared it: the creator of its waiting sandboxes until one is claimed.
    public let createdBy: UserID
    public let updatedAt: Date

    public init(tenantID: TenantID, organizationID: OrganizationID, templateID: TemplateID, size: Int, createdBy: UserID, updatedAt: Date) {
        self.tenantID = tenantID
        self.organizationID = organizationID
        self.templateID = templateID
        self.size = size
        self.createdBy = createdBy
        self.updatedAt = updatedAt
    }

    /// Waiting sandboxes per agent a pool may ask for.
    public static let sizeRange = 0...16
    /// Waiting sandboxes per agent all of a tenant's pools may ask for together: they count against nobody's quota,
    /// so this is what keeps one tenant from filling shared agents with them.
    public static let maximumWaitingPerTenant = 16

    public static func checkSize(_ size: Int) throws {
        guard sizeRange.contains(size) else {
            throw DomainError.invalidInput("size must be between \(sizeRange.lowerBound) and \(sizeRange.upperBound) waiting sandboxes per agent.")
        }
    }
}

/// Limits on what a tenant keeps and runs for templates.
public enum TemplateLimits {
    /// Bytes of template archives a tenant may keep (every version counts).
    public static let storageBytesPerTenant: Int64 = 20 << 30
    /// Builds and snapshots of a tenant under way at once.
    public static let concurrentBuildsPerTenant = 2
    /// One archive (a built template or a snapshot) at most.
    public static let archiveBytes: Int64 = 8 << 30
    /// One uploaded build context at most.
    public static let contextBytes: Int64 = 256 << 20
    /// Build contexts a tenant may keep uploaded, together.
    public static let contextBytesPerTenant: Int64 = 4 << 30
    /// How long one build may take.
    public static let buildTimeoutSeconds = 30 * 60
}
