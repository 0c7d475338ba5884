import Foundation

/// The name of an operation type, e.g. `directory.groups.sync`.
public struct OperationTypeKey: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
}

/// What an operation holds exclusively while it is queued or running.
public enum ProtectedScopeKind: Sendable, Equatable {
    /// The tenant and the provider connection it runs against: one operation at a time per connection.
    case tenantConnection
    /// Nothing: operations of the type never make each other wait (only dedupe applies).
    case none
}

/// How the dedupe identity of a run is formed.
public enum DedupePolicy: Sendable, Equatable {
    /// The same type on the same scope and target context is the same operation while one is active.
    case deterministic
    /// Every start is a new operation (a nonce joins the identity).
    case uniquePerRequest
}

/// Something that must hold, at start and again right before execution, for a run to go ahead.
public enum ExecutionPrerequisite: Sendable, Equatable {
    /// A provider connection of the tenant that has not been deleted or disabled (it may need re-authorization).
    case connectionPresent
    /// A provider connection that is `connected`.
    case connectionUsable
    /// The connection's write gate is open (for operations that change the provider account).
    case writeGateOpen
    /// The connection's metadata names this key (configuration the executor needs).
    case connectionMetadata(String)

    public var requiresConnection: Bool {
        switch self {
        case .connectionPresent, .connectionUsable, .writeGateOpen, .connectionMetadata: true
        }
    }
}

/// The declaration of one operation type; the server pairs it with an executor.
public struct OperationTypeDefinition: Sendable {
    public let key: OperationTypeKey
    /// What the initiator must be allowed to do, at start and at every execution attempt.
    public let capability: Capability
    /// Words for operator messages: "Sync" / "directory groups".
    public let operatorVerb: String
    public let operatorTarget: String
    public let protectedScope: ProtectedScopeKind
    public let dedupe: DedupePolicy
    public let prerequisites: [ExecutionPrerequisite]
    /// Only connections of this provider qualify; nil accepts any provider.
    public let provider: String?
    /// Attempts before a failing run ends `failed` (the first attempt included).
    public let maxAttempts: Int
    /// How long a run may stay queued or running before the reaper fails it.
    public let deadline: TimeInterval

    public init(
        key: OperationTypeKey, capability: Capability, operatorVerb: String, operatorTarget: String,
        protectedScope: ProtectedScopeKind, dedupe: DedupePolicy, prerequisites: [ExecutionPrerequisite],
        provider: String? = nil, maxAttempts: Int = 3, deadline: TimeInterval = 15 * 60
    ) {
        self.key = key
        self.capability = capability
        self.operatorVerb = operatorVerb
        self.operatorTarget = operatorTarget
        self.protectedScope = protectedScope
        self.dedupe = dedupe
        self.prerequisites = prerequisites
        self.provider = provider
        self.maxAttempts = maxAttempts
        self.deadline = deadline
    }

    public var requiresConnection: Bool {
        protectedScope == .tenantConnection || prerequisites.contains { $0.requiresConnection }
    }
}

extension OperationTypeDefinition {
    /// Checks a provider account's credentials and sets the connection to `connected` or `needs_reauth`.
    /// It must run on a connection that needs re-authorization (that is how one recovers), so it only needs one present.
    public static let providerConnectionVerify = OperationTypeDefinition(
        key: OperationTypeKey(rawValue: "provider.connection.verify"), capability: .manageIntegrations,
        operatorVerb: "Verify", operatorTarget: "provider connection",
        protectedScope: .tenantConnection, dedupe: .deterministic, prerequisites: [.connectionPresent]
    )

    /// Copies the provider directory's groups into the tenant.
    public static let directoryGroupsSync = OperationTypeDefinition(
        key: OperationTypeKey(rawValue: "directory.groups.sync"), capability: .runProviderOperations,
        operatorVerb: "Sync", operatorTarget: "directory groups",
        protectedScope: .tenantConnection, dedupe: .deterministic,
        prerequisites: [.connectionUsable, .connectionMetadata("directoryPath")]
    )

    /// A no-op for tests and benchmarks (enabled by a server flag): no connection, no protected scope, a new run per start.
    public static let testNoop = OperationTypeDefinition(
        key: OperationTypeKey(rawValue: "test.noop"), capability: .runProviderOperations,
        operatorVerb: "Run", operatorTarget: "test operation",
        protectedScope: .none, dedupe: .uniquePerRequest, prerequisites: [], maxAttempts: 3, deadline: 10 * 60
    )

    /// A test operation that holds the connection scope and writes to the provider (exercises scope and write gate).
    public static let testConnectionWrite = OperationTypeDefinition(
        key: OperationTypeKey(rawValue: "test.connection.write"), capability: .runProviderOperations,
        operatorVerb: "Write", operatorTarget: "test resource",
        protectedScope: .tenantConnection, dedupe: .deterministic,
        prerequisites: [.connectionUsable, .writeGateOpen], maxAttempts: 3, deadline: 10 * 60
    )
}

extension OperationTypeDefinition {
    /// Brings what an installed extension manages in line after a `requires_reconcile` settings change. Target
    /// context: `extensionKey` and the changed `settings`; the same change while one is active is the same run.
    public static let integrationSettingsReconcile = OperationTypeDefinition(
        key: OperationTypeKey(rawValue: "integration.settings.reconcile"), capability: .installExtensions,
        operatorVerb: "Reconcile", operatorTarget: "extension settings",
        protectedScope: .none, dedupe: .deterministic, prerequisites: [], maxAttempts: 3, deadline: 15 * 60
    )
}

extension OperationTypeDefinition {
    /// One invocation of an installed extension's operation through the broker. Target context: `extensionKey`,
    /// `operation`, `targetKind`, `targetId` and the `input` document. Every invocation is its own run, tried once
    /// (third-party operations are not known to be safe to repeat).
    public static let integrationExtensionInvoke = OperationTypeDefinition(
        key: OperationTypeKey(rawValue: "integration.extension.invoke"), capability: .runProviderOperations,
        operatorVerb: "Invoke", operatorTarget: "extension operation",
        protectedScope: .none, dedupe: .uniquePerRequest, prerequisites: [], maxAttempts: 1, deadline: 120
    )
}
