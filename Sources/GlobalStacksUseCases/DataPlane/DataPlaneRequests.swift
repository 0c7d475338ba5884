import GlobalStacksDomain

/// What a caller asks for when creating a data-plane instance (the contract's `DataPlaneInstanceCreateRequest`).
public struct DataPlaneInstanceRequest: Sendable {
    public let provider: String?
    public let extensionKey: String
    public let hostID: String
    public let settings: [String: JSONValue]

    public init(provider: String?, extensionKey: String, hostID: String, settings: [String: JSONValue]) {
        self.provider = provider
        self.extensionKey = extensionKey
        self.hostID = hostID
        self.settings = settings
    }
}

/// What a caller asks for when creating an object store (the contract's `ObjectStoreCreateRequest`).
public struct ObjectStoreRequest: Sendable {
    public let providerKey: String
    public let hostedMode: ObjectStoreHostedMode?
    public let purpose: ObjectStorePurpose
    public let bucket: String
    public let prefix: String?
    public let dataPlaneInstanceID: String?
    public let metadata: [String: JSONValue]

    public init(
        providerKey: String, hostedMode: ObjectStoreHostedMode?, purpose: ObjectStorePurpose, bucket: String, prefix: String?, dataPlaneInstanceID: String?,
        metadata: [String: JSONValue]
    ) {
        self.providerKey = providerKey
        self.hostedMode = hostedMode
        self.purpose = purpose
        self.bucket = bucket
        self.prefix = prefix
        self.dataPlaneInstanceID = dataPlaneInstanceID
        self.metadata = metadata
    }
}
