import Foundation
import GlobalStacksDomain
import Testing

@Suite("Sandbox specs, lifecycle and groups")
struct SandboxLifecycleTests {
    static func spec(
        template: String? = nil, command: [String] = ["sleep", "1"], memory: ByteQuantity? = nil, environment: [String: String]? = nil,
        idleTimeout: Int? = nil
    ) throws -> SandboxSpec {
        try SandboxSpec(
            name: nil, template: template, command: command, cpu: nil, memory: memory, storage: nil, environment: environment, labels: nil,
            network: nil, idleTimeoutSeconds: idleTimeout, idleAction: nil, region: nil, clusterID: nil, requiredCapabilities: nil
        )
    }

    @Test func specsAreValidatedWithActionableMessages() throws {
        let defaults = try Self.spec()
        #expect(defaults.cpu == SandboxSpec.defaultCPU && defaults.memory == SandboxSpec.defaultMemory && !defaults.network && defaults.idleAction == .stop)
        #expect(try Self.spec(template: "python-3.12", command: []).template == "python-3.12", "a template alone is enough")
        func refusal(_ build: () throws -> SandboxSpec) -> String? {
            do { _ = try build(); return nil } catch let error as DomainError { return error.message } catch { return "\(error)" }
        }
        #expect(refusal { try Self.spec(command: []) }?.contains("template or a command") == true)
        #expect(refusal { try Self.spec(command: [""]) }?.contains("command[0]") == true)
        #expect(refusal { try Self.spec(command: Array(repeating: "x", count: 65)) }?.contains("64 arguments") == true)
        #expect(refusal { try Self.spec(memory: ByteQuantity(bytes: 1 << 20)) }?.contains("16Mi") == true)
        #expect(refusal { try Self.spec(environment: ["1BAD": "x"]) }?.contains("environment name") == true)
        #expect(refusal { try Self.spec(environment: ["A-B": "x"]) }?.contains("environment name") == true)
        #expect(refusal { try Self.spec(idleTimeout: 5) }?.contains("idleTimeoutSeconds") == true)
        #expect(refusal { try Self.spec(environment: ["LD_PRELOAD": "/workspace/evil.so"]) }?.contains("LD_*") == true, "the loader's variables are reserved")
        #expect(refusal { try Self.spec(environment: ["GSTACKS_SANDBOX_ID": "x"]) }?.contains("GSTACKS_*") == true)
        #expect(refusal { try Self.spec(memory: ByteQuantity(bytes: 1 << 50)) }?.contains("at most") == true, "bounded, so sums cannot overflow")
        #expect(refusal { try Self.spec(command: Array(repeating: String(repeating: "x", count: 4_000), count: 20)) }?.contains("KiB") == true)
        #expect(refusal { try Self.spec(command: ["echo", "\u{1B}[2J"]) }?.contains("control characters") == true)
        #expect(refusal { try Self.spec(environment: ["GOOD_NAME_1": "x"]) } == nil)
    }

    @Test func requestsEnterTheirTransitionalStateOrAreRefused() throws {
        #expect(try SandboxRequest.stop.transitionalState(from: .running) == .stopping)
        #expect(try SandboxRequest.hibernate.transitionalState(from: .running) == .hibernating)
        #expect(try SandboxRequest.wake.transitionalState(from: .hibernated) == .waking)
        #expect(try SandboxRequest.stop.transitionalState(from: .hibernated) == .stopping)
        #expect(throws: DomainError.conflict("Cannot wake a sandbox that is running.")) { try SandboxRequest.wake.transitionalState(from: .running) }
        #expect(throws: DomainError.self) { try SandboxRequest.hibernate.transitionalState(from: .stopped) }
    }

    @Test func answersMoveTheSandboxWhenTheyStillFit() {
        #expect(AgentCommandAction.startSession.acknowledgedState == .starting)
        #expect(AgentCommandAction.stopSession.acknowledgedState == nil)
        #expect(AgentCommandAction.allCases.map(\.completedState) == [.running, .stopped, .hibernated, .running, .terminated])
        #expect(AgentCommandAction.deleteSession.failedState == .terminated, "a deleted sandbox stays deleted when its agent cannot clean up")
        #expect(AgentCommandAction.hibernateSession.failedState == .running, "a failed freeze leaves the process running")
        var sandbox = Sandbox(
            id: .generate(), tenantID: .generate(), organizationID: .generate(), createdBy: .generate(), spec: try! Self.spec(),
            agentID: .generate(), clusterID: .generate(), state: .stopping, stateChangedAt: Date(), lastError: nil, exitStatus: nil,
            lastActivityAt: Date(), createdAt: Date(), updatedAt: Date()
        )
        let lateStart = sandbox.move(to: AgentCommandAction.startSession.completedState, at: Date())
        #expect(!lateStart && sandbox.state == .stopping, "a start finishing after a stop was asked for changes nothing")
        #expect(sandbox.state.holdsCompute)
        let stopped = sandbox.move(to: .stopped, at: Date())
        #expect(stopped && !sandbox.state.holdsCompute)
    }

    @Test func groupAncestryFollowsParents() throws {
        let organization = OrganizationID.generate()
        func group(_ name: String, parent: GroupID?) -> Group {
            Group(id: .generate(), organizationID: organization, parentID: parent, name: Slug(rawValue: name)!, displayName: name, description: nil, kind: .team, createdAt: Date(), updatedAt: Date())
        }
        let engineering = group("engineering", parent: nil)
        let platform = group("platform", parent: engineering.id)
        let storage = group("storage", parent: platform.id)
        let groups = Dictionary(uniqueKeysWithValues: [engineering, platform, storage].map { ($0.id, $0) })
        #expect(Group.ancestry(of: storage.id, in: groups) == [storage.id, platform.id, engineering.id])
    }
}
