import Foundation

/// The health of a connected provider account, as the public contract names it.
public enum ProviderConnectionStatus: String, Sendable, Codable, CaseIterable {
    case connected
    case needsReauth = "needs_reauth"
    case disabled
    /// Deleted connections are kept (runs refer to them) but can never be used or changed again.
    case deleted

    /// Whether provider work may run against the account.
    public var isUsable: Bool { self == .connected }

    /// People may move a connection between connected, needs_reauth and disabled; deletion is final
    /// and happens only through the delete operation.
    public func canTransition(to next: ProviderConnectionStatus) -> Bool {
        self != .deleted && next != .deleted
    }
}

/// A provider account connected to one tenant (the "provider connection" of the dispatch-gate contract).
/// The credential itself never leaves the server: only a reference to where it lives is stored.
public struct ProviderConnection: Sendable, Equatable {
    public let id: ProviderConnectionID
    public let tenantID: TenantID
    public let provider: String
    public let kind: String
    public var name: String
    public var status: ProviderConnectionStatus
    /// Why the status last changed (for example what verification found), for people.
    public var statusReason: String?
    public let externalAccountID: String?
    public var credentialReference: String
    public var isDefault: Bool
    /// While set, operations that write to the provider are refused (the write gate).
    public var writesPaused: Bool
    public var metadata: [String: String]
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: ProviderConnectionID, tenantID: TenantID, provider: String, kind: String, name: String,
        status: ProviderConnectionStatus, statusReason: String?, externalAccountID: String?, credentialReference: String,
        isDefault: Bool, writesPaused: Bool, metadata: [String: String], createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.provider = provider
        self.kind = kind
        self.name = name
        self.status = status
        self.statusReason = statusReason
        self.externalAccountID = externalAccountID
        self.credentialReference = credentialReference
        self.isDefault = isDefault
        self.writesPaused = writesPaused
        self.metadata = metadata
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A provider or kind name: lower-case letters, digits, `-`, `_` and `.`, 1…64 characters.
    public static func validateToken(_ value: String, field: String) throws -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
        guard (1...64).contains(value.count), value.allSatisfy(allowed.contains) else {
            throw DomainError.invalidInput("\(field) must be 1 to 64 lower-case letters, digits, '-', '_' or '.'.")
        }
        return value
    }

    /// `env:NAME` or `file:/absolute/path`: where the server finds the secret when an operation needs it
    /// (the server reads only `GSTACKS_CREDENTIAL_*` variables and files in its credentials directory).
    public static func validateCredentialReference(_ value: String) throws -> String {
        let name = value.dropFirst(4)
        if value.hasPrefix("env:"), name.hasPrefix(credentialVariablePrefix), name.count > credentialVariablePrefix.count, value.count <= 256,
           name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            return value
        }
        if value.hasPrefix("file:/"), value.count <= 1024, !value.contains("\0") {
            return value
        }
        throw DomainError.invalidInput("credentialReference must be 'env:\(credentialVariablePrefix)NAME' or 'file:/absolute/path' (inside the server's credentials directory); the secret itself is never sent to the API.")
    }

    /// Provider credentials in the environment must carry this prefix, so no reference reaches the server's own settings.
    public static let credentialVariablePrefix = "GSTACKS_CREDENTIAL_"
}
