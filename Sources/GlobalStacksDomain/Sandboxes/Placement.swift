/// An agent as placement sees it: trust, health, where it is, what it can do and what it already holds.
public struct PlacementCandidate: Sendable, Equatable {
    public let agentID: String
    public let approval: AgentApproval
    public let connectivity: AgentConnectivity
    public let region: String?
    public let capabilities: Set<String>
    public let capacity: AgentCapacity
    /// Sessions, CPU and memory of the sandboxes it holds now (those that hold compute).
    public let usedSessions: Int
    public let usedCPU: CPUQuantity
    public let usedMemory: ByteQuantity

    public init(
        agentID: String, approval: AgentApproval, connectivity: AgentConnectivity, region: String?, capabilities: Set<String>,
        capacity: AgentCapacity, usedSessions: Int, usedCPU: CPUQuantity, usedMemory: ByteQuantity
    ) {
        self.agentID = agentID
        self.approval = approval
        self.connectivity = connectivity
        self.region = region
        self.capabilities = capabilities
        self.capacity = capacity
        self.usedSessions = usedSessions
        self.usedCPU = usedCPU
        self.usedMemory = usedMemory
    }

    public func fits(cpu: CPUQuantity, memory: ByteQuantity) -> Bool {
        usedSessions < capacity.maxSessions && usedCPU + cpu <= capacity.cpu && usedMemory + memory <= capacity.memory
    }

    /// Share of the agent in use after placing, by its scarcest dimension.
    func loadAfter(cpu: CPUQuantity, memory: ByteQuantity) -> Double {
        func share(_ used: Int64, _ total: Int64) -> Double { total > 0 ? Double(used) / Double(total) : 1 }
        return max(
            share(Int64(usedSessions + 1), Int64(capacity.maxSessions)),
            share((usedCPU + cpu).millicores, capacity.cpu.millicores),
            share((usedMemory + memory).bytes, capacity.memory.bytes)
        )
    }
}

/// What a sandbox needs from an agent.
public struct PlacementRequest: Sendable, Equatable {
    public let region: String?
    public let requiredCapabilities: Set<String>
    public let cpu: CPUQuantity
    public let memory: ByteQuantity

    public init(region: String?, requiredCapabilities: Set<String>, cpu: CPUQuantity, memory: ByteQuantity) {
        self.region = region
        self.requiredCapabilities = requiredCapabilities
        self.cpu = cpu
        self.memory = memory
    }
}

/// Why no agent fits, in the order the filters run, so the answer names the first thing that ruled every agent out.
public enum PlacementRefusal: Error, Equatable, Sendable {
    case noAgents
    case noneApproved
    case noneOnline
    case allDraining
    case regionMismatch(String)
    case capabilityMismatch(Set<String>)
    /// No agent could hold the sandbox even empty: what it asked for, and the most any agent offers.
    case tooLarge(asked: CPUQuantity, askedMemory: ByteQuantity, largest: CPUQuantity, largestMemory: ByteQuantity)
    case noCapacity

    public var message: String {
        switch self {
        case .noAgents: "No agent is enrolled in a cluster this tenant may use; enroll one with a provisioning token."
        case .noneApproved: "No agent of this tenant's clusters is approved yet; a tenant admin or an operator must approve one."
        case .noneOnline: "No approved agent is online; start `gstacks agent` on a host."
        case .allDraining: "Every online agent is draining and takes no new sandboxes."
        case .regionMismatch(let region): "No online agent is in region '\(region)'."
        case .capabilityMismatch(let missing): "No online agent has the required capabilities: \(missing.sorted().joined(separator: ", "))."
        case .tooLarge(let asked, let askedMemory, let largest, let largestMemory):
            "No agent is large enough for this sandbox: it asks for \(Self.text(asked)) and \(askedMemory) of memory, and the largest agent offers \(Self.text(largest)) and \(largestMemory); ask for less, or add a larger agent."
        case .noCapacity: "Every matching agent is full (sessions, CPU or memory); try a smaller sandbox or add capacity."
        }
    }

    private static func text(_ cpu: CPUQuantity) -> String {
        cpu.millicores % 1000 == 0 ? "\(cpu.millicores / 1000) CPU" : "\(cpu) CPU"
    }
}

/// Chooses the agent for a new sandbox: approved, online, not draining, in the region asked for, with every required
/// capability and room for it; the least loaded wins (ties: the agent id, so the choice is stable).
public enum Placement {
    public static func choose(_ request: PlacementRequest, among candidates: [PlacementCandidate]) -> Result<PlacementCandidate, PlacementRefusal> {
        guard !candidates.isEmpty else { return .failure(.noAgents) }
        let approved = candidates.filter { $0.approval == .approved }
        guard !approved.isEmpty else { return .failure(.noneApproved) }
        let connected = approved.filter { $0.connectivity != .offline }
        guard !connected.isEmpty else { return .failure(.noneOnline) }
        let accepting = connected.filter { $0.connectivity == .online }
        guard !accepting.isEmpty else { return .failure(.allDraining) }
        let inRegion = request.region.map { region in accepting.filter { $0.region == region } } ?? accepting
        if let region = request.region, inRegion.isEmpty { return .failure(.regionMismatch(region)) }
        let capable = inRegion.filter { request.requiredCapabilities.isSubset(of: $0.capabilities) }
        guard !capable.isEmpty else {
            let closest = inRegion.min { request.requiredCapabilities.subtracting($0.capabilities).count < request.requiredCapabilities.subtracting($1.capabilities).count }
            return .failure(.capabilityMismatch(request.requiredCapabilities.subtracting(closest?.capabilities ?? [])))
        }
        let largeEnough = capable.filter { $0.capacity.maxSessions > 0 && request.cpu <= $0.capacity.cpu && request.memory <= $0.capacity.memory }
        guard !largeEnough.isEmpty else {
            return .failure(.tooLarge(
                asked: request.cpu, askedMemory: request.memory,
                largest: capable.map(\.capacity.cpu).max() ?? .zero, largestMemory: capable.map(\.capacity.memory).max() ?? .zero
            ))
        }
        let roomy = largeEnough.filter { $0.fits(cpu: request.cpu, memory: request.memory) }
        guard let best = roomy.min(by: { lhs, rhs in
            let (l, r) = (lhs.loadAfter(cpu: request.cpu, memory: request.memory), rhs.loadAfter(cpu: request.cpu, memory: request.memory))
            return l != r ? l < r : lhs.agentID < rhs.agentID
        }) else { return .failure(.noCapacity) }
        return .success(best)
    }
}
