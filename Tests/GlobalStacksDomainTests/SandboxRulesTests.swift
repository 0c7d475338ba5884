import GlobalStacksDomain
import Testing

@Suite("Sandbox rules: quantities, states, commands, placement, quotas")
struct SandboxRulesTests {
    @Test(arguments: [("4000m", 4000), ("2", 2000), ("0.5", 500), ("1.25", 1250), ("0", 0)] as [(String, Int64)])
    func cpuQuantities(text: String, millicores: Int64) throws {
        #expect(try CPUQuantity(parsing: text).millicores == millicores)
    }

    @Test(arguments: ["", "m", "-1", "1.0001", "two", "4000M", "1e3", "0x10", "9223372036854775807m", "2000000"])
    func badCPUQuantities(text: String) {
        #expect(throws: DomainError.self) { try CPUQuantity(parsing: text) }
    }

    @Test(arguments: [("8Gi", 8 << 30), ("512Mi", 512 << 20), ("1G", 1_000_000_000), ("1.5Gi", 3 << 29), ("1024", 1024), ("2k", 2000)] as [(String, Int64)])
    func byteQuantities(text: String, bytes: Int64) throws {
        #expect(try ByteQuantity(parsing: text).bytes == bytes)
    }

    @Test(arguments: ["", "Gi", "-1Gi", "1.5", "8GB", "lots", "99999999999Ei", "2Ei"])
    func badByteQuantities(text: String) {
        #expect(throws: DomainError.self) { try ByteQuantity(parsing: text) }
    }

    @Test func sumsSaturateInsteadOfTrapping() {
        #expect((CPUQuantity(millicores: .max) + CPUQuantity(millicores: 1)).millicores == .max)
        #expect((ByteQuantity(bytes: .max) + ByteQuantity(bytes: 1)).bytes == .max)
    }

    @Test func quantitiesPrintCanonically() throws {
        #expect(try CPUQuantity(parsing: "2").description == "2000m")
        #expect(try ByteQuantity(parsing: "1536Mi").description == "1536Mi")
        #expect(try ByteQuantity(parsing: "8192Mi").description == "8Gi")
        #expect(ByteQuantity(bytes: 1000).description == "1000")
    }

    @Test func sandboxLifecycleTakesOnlyLegalMoves() {
        let path: [SandboxState] = [.pending, .starting, .running, .hibernating, .hibernated, .waking, .running, .stopping, .stopped, .terminated]
        for (from, to) in zip(path, path.dropFirst()) {
            #expect(from.canTransition(to: to), "\(from) → \(to)")
        }
        #expect(!SandboxState.terminated.canTransition(to: .running))
        #expect(!SandboxState.hibernated.canTransition(to: .hibernating))
        #expect(!SandboxState.stopped.canTransition(to: .running))
        #expect(throws: DomainError.self) { try SandboxState.stopped.requireTransition(to: .hibernating, action: "hibernate") }
        #expect(!SandboxState.hibernated.holdsCompute && SandboxState.running.holdsCompute)
    }

    @Test func commandsFollowTheirLifecycle() {
        #expect(AgentCommandStatus.pending.canTransition(to: .sent))
        #expect(AgentCommandStatus.sent.canTransition(to: .sent), "redelivery after a reconnect")
        #expect(AgentCommandStatus.sent.canTransition(to: .ack) && AgentCommandStatus.ack.canTransition(to: .completed))
        #expect(AgentCommandStatus.sent.canTransition(to: .completed), "complete without ack")
        #expect(!AgentCommandStatus.completed.canTransition(to: .failed) && !AgentCommandStatus.failed.canTransition(to: .completed))
        #expect(AgentCommandStatus.pending.canTransition(to: .ack), "the agent may answer before the send is recorded")
        #expect(!AgentCommandStatus.ack.canTransition(to: .ack) && !AgentCommandStatus.ack.canTransition(to: .pending))
        #expect(AgentApproval.pending.canTransition(to: .approved) && !AgentApproval.approved.canTransition(to: .pending))
    }

    static func agent(_ id: String, approval: AgentApproval = .approved, _ connectivity: AgentConnectivity = .online, region: String = "eu", capabilities: Set<String> = ["process"], sessions: Int = 0, maxSessions: Int = 10) -> PlacementCandidate {
        PlacementCandidate(
            agentID: id, approval: approval, connectivity: connectivity, region: region, capabilities: capabilities,
            capacity: AgentCapacity(maxSessions: maxSessions, cpu: CPUQuantity(millicores: 8000), memory: ByteQuantity(bytes: 16 << 30)),
            usedSessions: sessions, usedCPU: CPUQuantity(millicores: Int64(sessions) * 500), usedMemory: ByteQuantity(bytes: Int64(sessions) << 30)
        )
    }

    static let small = PlacementRequest(region: nil, requiredCapabilities: ["process"], cpu: CPUQuantity(millicores: 500), memory: ByteQuantity(bytes: 1 << 30))

    @Test func theLeastLoadedFittingAgentWins() {
        let chosen = Placement.choose(Self.small, among: [Self.agent("a", sessions: 5), Self.agent("b", sessions: 2), Self.agent("c", sessions: 9)])
        #expect((try? chosen.get())?.agentID == "b")
        #expect((try? Placement.choose(Self.small, among: [Self.agent("b"), Self.agent("a")]).get())?.agentID == "a", "ties go to the lower id")
    }

    @Test func refusalsSayWhy() {
        func refusal(_ candidates: [PlacementCandidate], _ request: PlacementRequest = Self.small) -> PlacementRefusal? {
            if case .failure(let reason) = Placement.choose(request, among: candidates) { reason } else { nil }
        }
        #expect(refusal([]) == .noAgents)
        #expect(refusal([Self.agent("a", approval: .pending), Self.agent("b", approval: .rejected)]) == .noneApproved)
        #expect(refusal([Self.agent("a", .offline)]) == .noneOnline)
        #expect(refusal([Self.agent("a", .draining), Self.agent("b", .offline)]) == .allDraining)
        #expect(refusal([Self.agent("a")], PlacementRequest(region: "us", requiredCapabilities: [], cpu: .zero, memory: .zero)) == .regionMismatch("us"))
        #expect(refusal([Self.agent("a")], PlacementRequest(region: nil, requiredCapabilities: ["gpu", "process"], cpu: .zero, memory: .zero)) == .capabilityMismatch(["gpu"]))
        #expect(refusal([Self.agent("a", sessions: 10)]) == .noCapacity)
        // Idle agents too small for the sandbox are not "full": the answer says the largest any agent offers.
        let huge = PlacementRequest(region: nil, requiredCapabilities: [], cpu: CPUQuantity(millicores: 64000), memory: ByteQuantity(bytes: 1 << 40))
        let tooLarge = refusal([Self.agent("a"), Self.agent("b", sessions: 3)], huge)
        #expect(tooLarge == .tooLarge(asked: huge.cpu, askedMemory: huge.memory, largest: CPUQuantity(millicores: 8000), largestMemory: ByteQuantity(bytes: 16 << 30)))
        #expect(tooLarge?.message == "No agent is large enough for this sandbox: it asks for 64 CPU and 1Ti of memory, and the largest agent offers 8 CPU and 16Gi; ask for less, or add a larger agent.")
        #expect(refusal([Self.agent("a", sessions: 9)], PlacementRequest(region: nil, requiredCapabilities: [], cpu: CPUQuantity(millicores: 7000), memory: .zero)) == .noCapacity,
                "large enough, but busy")
        #expect(!PlacementRefusal.allDraining.message.isEmpty)
    }

    @Test func theMostRestrictiveQuotaDecidesAndExplainsItself() throws {
        let one = ResourceUse(sessions: 1, cpu: CPUQuantity(millicores: 1000), memory: ByteQuantity(bytes: 1 << 30), storage: .zero)
        let user = ApplicableQuota(subject: .user, limits: QuotaLimits(maxSessions: 10, maxMemory: ByteQuantity(bytes: 16 << 30)), used: ResourceUse(sessions: 4, cpu: .zero, memory: ByteQuantity(bytes: 4 << 30), storage: .zero))
        let group = ApplicableQuota(subject: .group(name: "engineering"), limits: QuotaLimits(maxCPU: CPUQuantity(millicores: 4000)), used: ResourceUse(sessions: 9, cpu: CPUQuantity(millicores: 3500), memory: .zero, storage: .zero))
        try QuotaCheck.admit(one, under: [user])
        let refusal = try #require(throws: DomainError.self) { try QuotaCheck.admit(one, under: [user, group]) }
        #expect(refusal.kind == .conflict)
        #expect(refusal.message == "The quota of group 'engineering' allows 4000m CPU; 3500m is in use and this sandbox asks for 1000m.")
        let full = ApplicableQuota(subject: .organization, limits: QuotaLimits(maxSessions: 5), used: ResourceUse(sessions: 5, cpu: .zero, memory: .zero, storage: .zero))
        #expect(throws: DomainError.self) { try QuotaCheck.admit(one, under: [full]) }
    }
}
