/// Failures of the store itself (not of a caller's request).
public enum StoreError: Error, CustomStringConvertible {
    case invalidConfiguration(String)
    case corruptRow(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): message
        case .corruptRow(let message): "Unexpected stored value: \(message)"
        }
    }
}
