import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import Logging
import Synchronization
import Testing
@testable import GlobalStacksUseCases

/// The rules of work inside sandboxes, decided by `WorkspaceService` before anything reaches the sandbox's agent.
@Suite("Workspace service")
struct WorkspaceServiceTests {
    let organization: Organization
    let tenant: Tenant
    let owner: Caller
    let member: Caller

    init() throws {
        let now = Date()
        organization = Organization(id: .generate(), name: "Acme", slug: try Slug(validating: "acme"), kind: .business, createdAt: now, updatedAt: now)
        tenant = Tenant(
            id: .generate(), organizationID: organization.id, name: "Prod", slug: try Slug(validating: "prod"), description: nil, externalID: "prod",
            status: .active, createdAt: now, updatedAt: now
        )
        owner = try Self.caller("owner@example.com", .owner, organization, tenant)
        member = try Self.caller("member@example.com", .member, organization, tenant)
    }

    static func caller(_ email: String, _ role: OrganizationRole, _ organization: Organization, _ tenant: Tenant) throws -> Caller {
        let now = Date()
        let user = User(
            id: .generate(), email: try Validation.email(email), displayName: email, siteRole: .user, personalOrganizationID: .generate(),
            deactivatedAt: nil, createdAt: now, updatedAt: now
        )
        let credential = Credential(id: .generate(), kind: .session, userID: user.id, name: nil, tokenPrefix: "abc", createdAt: now, lastUsedAt: now, expiresAt: nil, revokedAt: nil)
        return Caller(principal: Principal(
            user: user, credential: credential, organization: OrganizationMembershipView(organization: organization, role: role), tenant: tenant
        ))
    }

    func sandbox(_ state: SandboxState, createdBy: Caller) throws -> Sandbox {
        let now = Date()
        let spec = try SandboxSpec(
            name: nil, template: nil, command: ["sleep", "600"], cpu: nil, memory: nil, storage: nil, environment: nil, labels: nil, network: nil,
            idleTimeoutSeconds: nil, idleAction: nil, region: nil, clusterID: nil, requiredCapabilities: nil
        )
        return Sandbox(
            id: .generate(), tenantID: tenant.id, organizationID: organization.id, createdBy: createdBy.user.id, spec: spec, agentID: .generate(),
            clusterID: .generate(), state: state, stateChangedAt: now, lastError: nil, exitStatus: nil, lastActivityAt: now, createdAt: now, updatedAt: now
        )
    }

    @Test func onlyTheCreatorAndTheOwnersWorkInARunningSandboxAndEveryExecIsRecorded() async throws {
        let running = try sandbox(.running, createdBy: owner)
        let store = FakeStore([running])
        let transport = FakeTransport()
        let workspace = WorkspaceService(store: store, transport: transport, maximumFileBytes: 1 << 20)

        let exec = try await workspace.exec(ExecRequest(command: ["echo", "hi"]), in: running.id, caller: owner, logger: .init(label: "test"))
        #expect(exec.stdout == Array("hi\n".utf8))
        #expect(transport.execs == [60], "the default timeout")
        #expect(store.started.map(\.id) == [exec.id] && store.started.first?.userID == owner.user.id)

        await #expect(throws: DomainError.forbidden("Only the sandbox's creator and the organization's owners and admins may run commands in it or reach its files.")) {
            try await workspace.exec(ExecRequest(command: ["true"]), in: running.id, caller: member, logger: .init(label: "test"))
        }
        let elsewhere = SandboxID.generate()
        await #expect(throws: DomainError.notFound("No sandbox \(elsewhere) in the active tenant.")) {
            try await workspace.files(in: nil, of: elsewhere, caller: owner)
        }
        for refused in [ExecRequest(command: []), ExecRequest(command: ["true"], timeoutSeconds: 0), ExecRequest(command: ["true"], outputLimitBytes: 64 << 20)] {
            await #expect(throws: DomainError.self) { try await workspace.exec(refused, in: running.id, caller: owner, logger: .init(label: "test")) }
        }
        await #expect(throws: DomainError.self) { try await workspace.download("", of: running.id, caller: owner) }
        await #expect(throws: DomainError.self) { try await workspace.upload("big", expectedBytes: 2 << 20, from: EmptyBytes(), of: running.id, caller: owner) }
        #expect(transport.execs == [60] && store.started.count == 1, "nothing refused reached the agent or the history")
    }

    @Test func portsAndWatchesFollowTheRulesOfExec() async throws {
        let running = try sandbox(.running, createdBy: owner)
        let transport = FakeTransport()
        let workspace = WorkspaceService(store: FakeStore([running]), transport: transport, maximumFileBytes: 1 << 20)
        _ = try await workspace.openPort(8_123, in: running.id, caller: owner, logger: .init(label: "test"))
        _ = try await workspace.watch("src", recursive: true, in: running.id, caller: owner)
        #expect(transport.reached == ["port 8123", "watch src true"])

        // Another tenant's caller does not find the sandbox; a member who did not create it may not reach it.
        let otherTenant = Tenant(
            id: .generate(), organizationID: organization.id, name: "Stage", slug: try Slug(validating: "stage"), description: nil, externalID: "stage",
            status: .active, createdAt: Date(), updatedAt: Date()
        )
        let stranger = try Self.caller("owner@example.com", .owner, organization, otherTenant)
        await #expect(throws: DomainError.notFound("No sandbox \(running.id) in the active tenant.")) {
            try await workspace.openPort(8_123, in: running.id, caller: stranger, logger: .init(label: "test"))
        }
        await #expect(throws: DomainError.notFound("No sandbox \(running.id) in the active tenant.")) {
            try await workspace.watch(".", recursive: false, in: running.id, caller: stranger)
        }
        await #expect(throws: DomainError.self) { try await workspace.openPort(8_123, in: running.id, caller: member, logger: .init(label: "test")) }
        await #expect(throws: DomainError.self) { try await workspace.watch(".", recursive: false, in: running.id, caller: member) }
        for port in [0, 65_536, -1] {
            await #expect(throws: DomainError.invalidInput("port must be 1 to 65535.")) {
                try await workspace.openPort(port, in: running.id, caller: owner, logger: .init(label: "test"))
            }
        }
        await #expect(throws: DomainError.self) { try await workspace.watch("", recursive: false, in: running.id, caller: owner) }
        #expect(transport.reached.count == 2, "nothing refused reached the agent")
    }

    @Test func aStoppedSandboxKeepsItsOutputButRunsNothing() async throws {
        let stopped = try sandbox(.stopped, createdBy: member)
        let transport = FakeTransport()
        let workspace = WorkspaceService(store: FakeStore([stopped]), transport: transport, maximumFileBytes: 1 << 20)
        _ = try await workspace.output(of: stopped.id, lines: nil, follow: false, caller: member)
        #expect(transport.outputs == [100], "the default tail")
        await #expect(throws: DomainError.self) { try await workspace.files(in: nil, of: stopped.id, caller: member) }
        await #expect(throws: DomainError.self) { try await workspace.sandboxForExecStream(stopped.id, caller: member) }
        #expect(try await workspace.execHistory(of: stopped.id, limit: 10, caller: member).isEmpty)
    }
}

struct EmptyBytes: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    struct AsyncIterator: AsyncIteratorProtocol {
        mutating func next() async throws -> ArraySlice<UInt8>? { nil }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator() }
}

/// Sandboxes looked up by id (every one in the scope the test gives) and the exec history started.
final class FakeStore: SandboxRepository, ExecHistoryRepository {
    private let sandboxes: [Sandbox]
    private let records = Mutex<[ExecRecord]>([])

    init(_ sandboxes: [Sandbox]) {
        self.sandboxes = sandboxes
    }

    var started: [ExecRecord] { records.withLock { $0 } }

    func sandbox(id: SandboxID, scope: TenantScope) async throws -> Sandbox? {
        sandboxes.first { $0.id == id && $0.tenantID == scope.tenantID }
    }

    func recordExecStart(_ record: ExecRecord, scope: TenantScope) async throws { records.withLock { $0.append(record) } }
    func recordExecEnd(_ id: ExecRecordID, _ outcome: ExecOutcome, scope: TenantScope) async throws {}
    func execHistory(sandboxID: SandboxID, scope: TenantScope, limit: Int) async throws -> [ExecRecord] { [] }

    func createSandbox(_ spec: SandboxSpec, template: TemplateID?, createdBy: UserID, scope: TenantScope, commandDeadline: Date, at now: Date) async throws -> SandboxChange { throw Unused() }
    func sandboxes(scope: TenantScope, filter: SandboxFilter) async throws -> [Sandbox] { throw Unused() }
    func requestSandbox(_ request: SandboxRequest, id: SandboxID, scope: TenantScope, commandDeadline: Date, at now: Date) async throws -> SandboxChange { throw Unused() }
    func deleteSandbox(id: SandboxID, scope: TenantScope, commandDeadline: Date, at now: Date) async throws -> SandboxChange { throw Unused() }
    func commands(sandboxID: SandboxID, scope: TenantScope) async throws -> [AgentCommand] { throw Unused() }
    func setSandboxExpiry(id: SandboxID, expiresAt: Date, scope: TenantScope, at now: Date) async throws -> Sandbox { throw Unused() }
    func expireSandbox(id: SandboxID, scope: TenantScope, commandDeadline: Date, at now: Date) async throws -> SandboxChange? { throw Unused() }
    func publicSandbox(_ scope: PublicPortScope) async throws -> Sandbox? { throw Unused() }
}

/// Answers exec and output, and remembers the limits it was given; anything else is not used here.
final class FakeTransport: WorkspaceTransport {
    private let state = Mutex<(execs: [Double], outputs: [Int], reached: [String])>(([], [], []))
    var execs: [Double] { state.withLock { $0.execs } }
    /// Ports opened and directories watched.
    var reached: [String] { state.withLock { $0.reached } }
    var outputs: [Int] { state.withLock { $0.outputs } }

    func exec(_ request: ExecRequest, timeoutSeconds: Double, outputLimitBytes: Int, on sandbox: Sandbox) async throws -> (result: ExecResult, stdout: [UInt8], stderr: [UInt8]) {
        state.withLock { $0.execs.append(timeoutSeconds) }
        let result = ExecResult(exitCode: 0, signal: nil, timedOut: false, stdoutTruncated: false, stderrTruncated: false, durationMilliseconds: 1)
        return (result, Array("hi\n".utf8), [])
    }

    func output(tailLines: Int, follow: Bool, on sandbox: Sandbox) async throws -> WorkspaceBytes {
        state.withLock { $0.outputs.append(tailLines) }
        return EmptyBytes()
    }

    func output(fromByte: Int64, maximumBytes: Int64, on sandbox: Sandbox) async throws -> WorkspaceBytes { throw Unused() }
    func startInteractiveExec(_ request: ExecRequest, timeoutSeconds: Double, on sandbox: Sandbox) async throws -> any InteractiveExec { throw Unused() }
    func openPort(_ port: Int, on sandbox: Sandbox) async throws -> any InteractiveExec {
        state.withLock { $0.reached.append("port \(port)") }
        return IdleExec()
    }

    func watchDirectory(_ path: String, recursive: Bool, on sandbox: Sandbox) async throws -> any InteractiveExec {
        state.withLock { $0.reached.append("watch \(path) \(recursive)") }
        return IdleExec()
    }
    func startProcess(_ request: ExecRequest, timeoutSeconds: Double, outputLimitBytes: Int, on sandbox: Sandbox) async throws -> ProcessStatus { throw Unused() }
    func processes(on sandbox: Sandbox) async throws -> [ProcessStatus] { throw Unused() }
    func process(_ processID: String, on sandbox: Sandbox) async throws -> ProcessStatus { throw Unused() }
    func signal(_ signal: String, toProcess processID: String, on sandbox: Sandbox) async throws -> ProcessStatus { throw Unused() }
    func files(in path: String, on sandbox: Sandbox) async throws -> DirectoryListing { throw Unused() }
    func file(at path: String, on sandbox: Sandbox) async throws -> FileEntry { throw Unused() }
    func deleteFile(at path: String, recursive: Bool, on sandbox: Sandbox) async throws { throw Unused() }
    func makeDirectory(at path: String, on sandbox: Sandbox) async throws -> FileEntry { throw Unused() }
    func moveFile(from: String, to: String, on sandbox: Sandbox) async throws -> FileEntry { throw Unused() }
    func download(_ path: String, on sandbox: Sandbox) async throws -> WorkspaceBytes { throw Unused() }
    func upload<Bytes: AsyncSequence & Sendable>(
        _ path: String, expectedBytes: Int64?, maximumBytes: Int64, from bytes: Bytes, on sandbox: Sandbox
    ) async throws -> FileEntry where Bytes.Element == ArraySlice<UInt8> { throw Unused() }
}

struct Unused: Error {}

/// A command that ends at once.
struct IdleExec: InteractiveExec {
    func forwardOutput(to deliver: @Sendable (ExecOutputChannel, [UInt8]) async throws -> Void) async throws -> ExecResult {
        ExecResult(exitCode: 0, signal: nil, timedOut: false, stdoutTruncated: false, stderrTruncated: false, durationMilliseconds: 0)
    }
    func write(_ stdin: [UInt8]) async throws {}
    func endInput() async throws {}
    func resize(_ size: TerminalSize) async {}
    func cancel() async {}
}
