import GlobalStacksDomain
import GlobalStacksStore
import Logging

/// Everything an executor may use. Tenant data is reachable only through `scope`, which exists only because
/// the legitimacy decision right before this attempt allowed the run.
struct ExecutionContext: Sendable {
    let run: OperationRun
    let scope: TenantScope
    let connection: ProviderConnection?
    let store: any ProviderConnectionRepository
    let credentials: CredentialResolver
    let logger: Logger
}

/// How an attempt failed. Any other error thrown by an executor counts as transient.
enum ExecutionError: Error, Equatable {
    /// Worth another attempt (after a backoff), while attempts remain.
    case transient(String)
    /// Another attempt cannot help; the run fails now.
    case permanent(String)
}

/// Runs one operation type. Must be safe to run again after a crash (attempts are at-least-once).
protocol OperationExecutor: Sendable {
    /// Returns a short result summary kept on the run.
    func execute(_ context: ExecutionContext) async throws -> [String: String]
}

/// An operation type the server can start, with the code that runs it.
struct RegisteredOperation: Sendable {
    let definition: OperationTypeDefinition
    let executor: any OperationExecutor
}

/// The operation types of this server. Every provider-backed operation starts through the one gate and runs
/// through the one worker pool by being registered here.
struct OperationCatalog: Sendable {
    private let operations: [OperationTypeKey: RegisteredOperation]

    init(_ operations: [RegisteredOperation]) {
        self.operations = Dictionary(uniqueKeysWithValues: operations.map { ($0.definition.key, $0) })
    }

    /// The product's operation types, plus the test types when `includeTestOperations` (tests and benchmarks).
    static func standard(
        includeTestOperations: Bool, dispatch: ExtensionDispatch, store: any DataPlaneRepository & AgentRepository, live: LiveCommands,
        templates: TemplateRunner
    ) -> OperationCatalog {
        var operations = [
            RegisteredOperation(definition: .providerConnectionVerify, executor: ProviderConnectionVerifyExecutor()),
            RegisteredOperation(definition: .directoryGroupsSync, executor: DirectoryGroupsSyncExecutor()),
            RegisteredOperation(definition: .integrationSettingsReconcile, executor: InstallSettingsReconcileExecutor()),
            RegisteredOperation(definition: .integrationExtensionInvoke, executor: ExtensionInvokeExecutor(dispatch: dispatch)),
            RegisteredOperation(definition: .dataPlaneInstanceProvision, executor: DataPlaneProvisionExecutor(store: store, dispatch: dispatch, live: live)),
            RegisteredOperation(definition: .dataPlaneInstanceDelete, executor: DataPlaneDeleteExecutor(store: store, live: live)),
            RegisteredOperation(definition: .objectStoreProvision, executor: ObjectStoreProvisionExecutor(store: store, dispatch: dispatch)),
            RegisteredOperation(definition: .objectStoreDelete, executor: ObjectStoreDeleteExecutor(store: store, dispatch: dispatch)),
            RegisteredOperation(definition: .templateBuild, executor: TemplateBuildExecutor(runner: templates)),
            RegisteredOperation(definition: .templateSnapshot, executor: TemplateSnapshotExecutor(runner: templates)),
        ]
        if includeTestOperations {
            operations += [
                RegisteredOperation(definition: .testNoop, executor: TestOperationExecutor()),
                RegisteredOperation(definition: .testConnectionWrite, executor: TestOperationExecutor()),
            ]
        }
        return OperationCatalog(operations)
    }

    subscript(key: OperationTypeKey) -> RegisteredOperation? { operations[key] }

    /// The same catalog with only (or without) these types, for a pool of workers of their own.
    func filtered(_ include: (OperationTypeKey) -> Bool) -> OperationCatalog {
        OperationCatalog(all.filter { include($0.definition.key) })
    }

    var definitions: [OperationTypeKey: OperationTypeDefinition] { operations.mapValues(\.definition) }

    var all: [RegisteredOperation] { operations.values.sorted { $0.definition.key.rawValue < $1.definition.key.rawValue } }
}
