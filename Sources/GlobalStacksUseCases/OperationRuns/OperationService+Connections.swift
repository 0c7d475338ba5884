import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// A provider connection as a caller asks for it; checked after access, in the order the API answers.
public struct ProviderConnectionDraft: Sendable {
    public var provider: String
    public var kind: String
    public var name: String
    public var externalAccountID: String?
    public var credentialReference: String
    public var isDefault: Bool
    public var metadata: [String: String]?

    public init(
        provider: String, kind: String, name: String, externalAccountID: String?, credentialReference: String, isDefault: Bool,
        metadata: [String: String]?
    ) {
        self.provider = provider
        self.kind = kind
        self.name = name
        self.externalAccountID = externalAccountID
        self.credentialReference = credentialReference
        self.isDefault = isDefault
        self.metadata = metadata
    }
}

/// The fields of a provider connection a caller changes; nil leaves one as it is.
public struct ProviderConnectionChange: Sendable {
    public var name: String?
    public var status: ProviderConnectionStatus?
    public var isDefault: Bool?
    public var writesPaused: Bool?
    public var credentialReference: String?
    public var metadata: [String: String]?

    public init(
        name: String?, status: ProviderConnectionStatus?, isDefault: Bool?, writesPaused: Bool?, credentialReference: String?,
        metadata: [String: String]?
    ) {
        self.name = name
        self.status = status
        self.isDefault = isDefault
        self.writesPaused = writesPaused
        self.credentialReference = credentialReference
        self.metadata = metadata
    }
}

/// Provider connections of the active tenant. Reading needs membership; changing needs `manageIntegrations`.
extension OperationService {
    public func connections(caller: Caller) async throws -> [ProviderConnection] {
        try await store.providerConnections(try caller.activeTenant())
    }

    public func createConnection(_ draft: ProviderConnectionDraft, caller: Caller) async throws -> ProviderConnection {
        let scope = try caller.activeTenant()
        try caller.require(.manageIntegrations)
        let connection = NewProviderConnection(
            provider: try ProviderConnection.validateToken(draft.provider, field: "provider"),
            kind: try ProviderConnection.validateToken(draft.kind, field: "kind"),
            name: try Validation.name(draft.name),
            externalAccountID: try draft.externalAccountID.map { try Validation.name($0, field: "externalAccountId") },
            credentialReference: try ProviderConnection.validateCredentialReference(draft.credentialReference),
            isDefault: draft.isDefault,
            metadata: try Validation.metadata(draft.metadata)
        )
        try credentialNamespace(caller).check(
            reference: connection.credentialReference, files: connection.metadata["directoryPath"].map { [$0] } ?? []
        )
        return try await store.createProviderConnection(connection, scope, at: Date())
    }

    /// A connection of the active tenant that is not deleted; anything else is 404.
    public func connection(_ id: ProviderConnectionID, caller: Caller) async throws -> ProviderConnection {
        guard let connection = try await store.providerConnection(id: id, try caller.activeTenant()), connection.status != .deleted else {
            throw Self.noConnection(id.description)
        }
        return connection
    }

    public func updateConnection(_ id: ProviderConnectionID, _ change: ProviderConnectionChange, caller: Caller) async throws -> ProviderConnection {
        let current = try await connection(id, caller: caller)
        try caller.require(.manageIntegrations)
        let name = try change.name.map { try Validation.name($0) }
        let reference = try change.credentialReference.map(ProviderConnection.validateCredentialReference)
        let metadata = try change.metadata.map { try Validation.metadata($0) }
        try credentialNamespace(caller).check(reference: reference, files: metadata?["directoryPath"].map { [$0] } ?? [])
        let status = change.status
        return try await store.updateProviderConnection(id: current.id, try caller.activeTenant(), at: Date()) { connection in
            if let name { connection.name = name }
            if let status, status != connection.status {
                guard connection.status.canTransition(to: status) else {
                    throw DomainError.conflict("A \(connection.status.rawValue) connection cannot become \(status.rawValue).")
                }
                connection.status = status
                connection.statusReason = "Set to \(status.rawValue) by a person."
            }
            if let isDefault = change.isDefault { connection.isDefault = isDefault }
            if let writesPaused = change.writesPaused { connection.writesPaused = writesPaused }
            if let reference { connection.credentialReference = reference }
            if let metadata { connection.metadata = metadata }
        }
    }

    public func deleteConnection(_ id: ProviderConnectionID, caller: Caller) async throws {
        let connection = try await connection(id, caller: caller)
        try caller.require(.manageIntegrations)
        try await store.deleteProviderConnection(id: connection.id, try caller.activeTenant(), at: Date())
    }

    /// The groups the connection's last directory sync found.
    public func directoryGroups(_ id: ProviderConnectionID, caller: Caller) async throws -> [DirectoryGroup] {
        let connection = try await connection(id, caller: caller)
        return try await store.directoryGroups(connectionID: connection.id, try caller.activeTenant())
    }

    /// 404 for a connection path that names nothing the active tenant has (malformed ones included).
    public static func noConnection(_ pathValue: String) -> DomainError {
        DomainError.notFound("No provider connection '\(pathValue.prefix(64))' in the active tenant.")
    }

    /// The active tenant's credential namespace (its variables and its directory).
    private func credentialNamespace(_ caller: Caller) throws -> CredentialNamespace {
        guard let tenant = caller.principal.tenant else {
            throw DomainError.invalidInput("No tenant is selected; select one with POST /v1/tenants/{tenantId}/activate.")
        }
        return CredentialNamespace(credentialsDirectory: credentialsDirectory, tenantExternalID: tenant.externalID)
    }
}
