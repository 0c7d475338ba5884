import Foundation

public enum TenantStatus: String, Sendable, Codable, CaseIterable {
    case active
    case suspended
    case archived

    /// Only an active tenant runs new work; suspended and archived tenants keep their data but are not operable.
    public var isOperable: Bool { self == .active }

    /// Archiving is final: an archived tenant cannot be reactivated or suspended.
    public func canTransition(to next: TenantStatus) -> Bool {
        switch (self, next) {
        case (.archived, .archived): true
        case (.archived, _): false
        default: true
        }
    }
}

public struct Tenant: Sendable, Equatable {
    public let id: TenantID
    public let organizationID: OrganizationID
    public var name: String
    public let slug: Slug
    public var description: String?
    /// A stable public identifier for console routes, independent of the slug.
    public let externalID: String
    public var status: TenantStatus
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: TenantID, organizationID: OrganizationID, name: String, slug: Slug, description: String?,
        externalID: String, status: TenantStatus, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.slug = slug
        self.description = description
        self.externalID = externalID
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// `tnt-` followed by 10 random lower-case letters and digits.
    public static func generateExternalID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return "tnt-" + String((0..<10).map { _ in alphabet[Int(generator.next(upperBound: UInt8(alphabet.count)))] })
    }
}
