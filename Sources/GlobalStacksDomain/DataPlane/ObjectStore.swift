import Foundation

/// Who runs the S3 endpoint behind an object store.
public enum ObjectStoreHostedMode: String, Sendable, Codable, CaseIterable {
    /// A bucket the tenant brought: verified, never created, never deleted unless asked.
    case external
    /// The tenant's own S3 service: the bucket is created when absent.
    case customerManaged = "customer_managed"
    /// Backed by one of the tenant's data-plane instances (`dataPlaneInstanceId`).
    case globalstacksManaged = "globalstacks_managed"
}

public enum ObjectStorePurpose: String, Sendable, Codable, CaseIterable {
    case volumeData = "volume_data"
    case metadataBackup = "metadata_backup"
    case artifactCache = "artifact_cache"
    case logs
}

public enum ObjectStoreStatus: String, Sendable, Codable, CaseIterable {
    case provisioning
    case ready
    /// The periodic verification failed; it may pass again.
    case degraded
    case failed
    case deleted

    public func canTransition(to next: ObjectStoreStatus) -> Bool {
        Self.transitions[self, default: []].contains(next)
    }

    private static let transitions: [ObjectStoreStatus: Set<ObjectStoreStatus>] = [
        .provisioning: [.ready, .failed, .deleted],
        .ready: [.degraded, .failed, .deleted],
        .degraded: [.ready, .failed, .deleted],
        .failed: [.deleted],
        .deleted: [],
    ]
}

/// A bucket (and prefix) on an S3 endpoint that a tenant keeps data in, created or verified through an installed
/// extension that speaks the S3 API. The endpoint and credentials are the install's settings and secrets: the
/// store keeps a reference to them (`credentialRef`), never the secret.
public struct ObjectStore: Sendable, Equatable {
    public let id: ObjectStoreID
    public let tenantID: TenantID
    /// The extension that speaks to the endpoint (the contract's `providerKey`).
    public let providerKey: ExtensionKey
    public let hostedMode: ObjectStoreHostedMode
    public let purpose: ObjectStorePurpose
    public var endpoint: String?
    public let bucket: String
    public let prefix: String?
    public let credentialRef: String?
    public let dataPlaneInstanceID: DataPlaneInstanceID?
    public var status: ObjectStoreStatus
    public var statusReason: String?
    public let metadata: [String: JSONValue]
    /// Whether provisioning created the bucket (then deleting the store may remove it).
    public var createdBucket: Bool
    public let provisionRunID: OperationRunID?
    public var verifiedAt: Date?
    public let createdBy: UserID?
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: ObjectStoreID, tenantID: TenantID, providerKey: ExtensionKey, hostedMode: ObjectStoreHostedMode, purpose: ObjectStorePurpose,
        endpoint: String?, bucket: String, prefix: String?, credentialRef: String?, dataPlaneInstanceID: DataPlaneInstanceID?,
        status: ObjectStoreStatus, statusReason: String?, metadata: [String: JSONValue], createdBucket: Bool, provisionRunID: OperationRunID?,
        verifiedAt: Date?, createdBy: UserID?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.providerKey = providerKey
        self.hostedMode = hostedMode
        self.purpose = purpose
        self.endpoint = endpoint
        self.bucket = bucket
        self.prefix = prefix
        self.credentialRef = credentialRef
        self.dataPlaneInstanceID = dataPlaneInstanceID
        self.status = status
        self.statusReason = statusReason
        self.metadata = metadata
        self.createdBucket = createdBucket
        self.provisionRunID = provisionRunID
        self.verifiedAt = verifiedAt
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public typealias ObjectStoreID = Identifier<ObjectStore>

extension ObjectStore {
    /// The metadata key with which a store's creator asks that deleting the store delete its bucket too, when the
    /// store did not create it (an `external` bucket stays otherwise).
    public static let deleteBucketWithStoreKey = "deleteBucketWithStore"
}

/// What creating an object store stores before its provisioning run does anything.
public struct NewObjectStore: Sendable {
    public let id: ObjectStoreID
    public let providerKey: ExtensionKey
    public let hostedMode: ObjectStoreHostedMode
    public let purpose: ObjectStorePurpose
    public let bucket: String
    public let prefix: String?
    public let credentialRef: String?
    public let dataPlaneInstanceID: DataPlaneInstanceID?
    public let metadata: [String: JSONValue]
    public let provisionRunID: OperationRunID
    public let createdBy: UserID?

    public init(
        id: ObjectStoreID, providerKey: ExtensionKey, hostedMode: ObjectStoreHostedMode, purpose: ObjectStorePurpose, bucket: String, prefix: String?,
        credentialRef: String?, dataPlaneInstanceID: DataPlaneInstanceID?, metadata: [String: JSONValue], provisionRunID: OperationRunID, createdBy: UserID?
    ) {
        self.id = id
        self.providerKey = providerKey
        self.hostedMode = hostedMode
        self.purpose = purpose
        self.bucket = bucket
        self.prefix = prefix
        self.credentialRef = credentialRef
        self.dataPlaneInstanceID = dataPlaneInstanceID
        self.metadata = metadata
        self.provisionRunID = provisionRunID
        self.createdBy = createdBy
    }
}
