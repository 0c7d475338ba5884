import Foundation

/// A typed identifier: `Identifier<User>` and `Identifier<Tenant>` cannot be mixed up.
public struct Identifier<Entity>: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// An identifier from a request path, or nil when it cannot be one of ours (every id is a UUID),
    /// so that malformed ids answer "not found" without reaching the database.
    public init?(path value: String) {
        guard let uuid = UUID(uuidString: value) else { return nil }
        self.init(rawValue: uuid.uuidString.lowercased())
    }

    /// A new random identifier (lower-case UUID text, the same on every store engine).
    public static func generate() -> Self {
        Self(rawValue: UUID().uuidString.lowercased())
    }

    public var description: String { rawValue }
}

public typealias UserID = Identifier<User>
public typealias OrganizationID = Identifier<Organization>
public typealias TenantID = Identifier<Tenant>
public typealias ClusterID = Identifier<Cluster>
public typealias InvitationID = Identifier<Invitation>
public typealias CredentialID = Identifier<Credential>
