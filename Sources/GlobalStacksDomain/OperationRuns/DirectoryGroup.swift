/// A group read from a provider directory.
public struct DirectoryGroup: Sendable, Equatable {
    public let externalID: String
    public let displayName: String

    public init(externalID: String, displayName: String) {
        self.externalID = externalID
        self.displayName = displayName
    }
}
