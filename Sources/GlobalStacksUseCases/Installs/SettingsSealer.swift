import GlobalStacksDomain

/// Seals an install's secret settings for the store and opens them again (the server's secret key does it).
public protocol SettingsSealer: Sendable {
    /// nil when there is nothing to seal.
    func seal(_ secrets: [String: JSONValue]) throws -> String?
    func open(_ sealed: String?) throws -> [String: JSONValue]
}
