import Foundation
import GlobalStacksDomain
import Hummingbird

/// Our sandboxes as E2B's API shows them.
enum E2BMapping {
    /// E2B knows running and paused sandboxes only: one on its way up counts as running, one being frozen as paused;
    /// a sandbox stopping or ended is gone (nil).
    static func state(_ state: SandboxState) -> String? {
        switch state {
        case .pending, .starting, .running, .waking: "running"
        case .hibernating, .hibernated: "paused"
        case .stopping, .stopped, .failed, .terminated: nil
        }
    }

    static func gone(_ sandbox: Sandbox) -> DomainError {
        let reason = sandbox.lastError.map { ": \($0.prefix(300))" } ?? ""
        return .notFound("Sandbox \(sandbox.id) is \(sandbox.state.rawValue)\(reason); it no longer runs.")
    }

    static func handle(_ sandbox: Sandbox, token: String, domain: String?) -> E2B.Sandbox {
        E2B.Sandbox(
            templateID: sandbox.spec.template ?? E2B.defaultTemplate, sandboxID: sandbox.id.rawValue, alias: sandbox.spec.template ?? E2B.defaultTemplate,
            clientID: sandbox.agentID.rawValue,
            envdVersion: E2B.envdVersion, envdAccessToken: token, trafficAccessToken: nil, domain: domain
        )
    }

    static func listed(_ sandbox: Sandbox, domain: String?) -> E2B.ListedSandbox {
        E2B.ListedSandbox(
            templateID: sandbox.spec.template ?? E2B.defaultTemplate, alias: sandbox.spec.template ?? E2B.defaultTemplate, sandboxID: sandbox.id.rawValue,
            clientID: sandbox.agentID.rawValue,
            startedAt: time(sandbox.createdAt), endAt: sandbox.expiresAt.map(time) ?? "9999-12-31T23:59:59Z",
            cpuCount: max(1, Int((sandbox.spec.cpu.millicores + 999) / 1000)), memoryMB: Int(sandbox.spec.memory.bytes >> 20),
            diskSizeMB: Int(sandbox.spec.storage.bytes >> 20), state: state(sandbox.state) ?? "paused", envdVersion: E2B.envdVersion,
            metadata: sandbox.spec.labels, domain: domain, allowInternetAccess: sandbox.spec.network
        )
    }

    static let baseTemplate = E2B.Template(
        templateID: E2B.defaultTemplate, buildID: E2B.defaultTemplate, cpuCount: 1, memoryMB: Int(SandboxSpec.defaultMemory.bytes >> 20), diskSizeMB: 0,
        public: true, aliases: [E2B.defaultTemplate], names: [E2B.defaultTemplate], createdAt: "1970-01-01T00:00:00Z", updatedAt: "1970-01-01T00:00:00Z",
        lastSpawnedAt: nil, spawnCount: 0, buildCount: 1, envdVersion: E2B.envdVersion, buildStatus: "ready"
    )

    /// One of the tenant's (or the platform's) templates, by its name and its `name:version`.
    static func template(_ template: GlobalStacksDomain.Template) -> E2B.Template {
        E2B.Template(
            templateID: template.name.rawValue, buildID: template.buildID.rawValue, cpuCount: 1, memoryMB: Int(SandboxSpec.defaultMemory.bytes >> 20),
            diskSizeMB: Int(template.sizeBytes >> 20), public: template.isPlatform, aliases: [template.name.rawValue, template.reference],
            names: [template.reference], createdAt: time(template.createdAt), updatedAt: time(template.createdAt), lastSpawnedAt: nil, spawnCount: 0,
            buildCount: template.version, envdVersion: E2B.envdVersion, buildStatus: "ready"
        )
    }

    static func time(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// Where a JSON body did not fit, in words.
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// The filters and page of `GET /v2/sandboxes` (`GET /sandboxes` lists running ones, unpaged).
struct E2BListQuery {
    var metadata: [String: String] = [:]
    var states: Set<String> = ["running", "paused"]
    var limit = 100
    var offset = 0

    static let maximumLimit = 1_000

    init(_ query: Parameters, v2: Bool) throws {
        if let encoded = query["metadata"] {
            metadata = try Self.metadata(String(encoded))
        }
        guard v2 else {
            states = ["running"]
            limit = Self.maximumLimit
            return
        }
        if let states = query["state"] {
            self.states = Set(states.split(separator: ",").map(String.init))
            guard self.states.isSubset(of: ["running", "paused"]) else { throw DomainError.invalidInput("state is running, paused or both (comma-separated).") }
        }
        if let limit = query["limit"] {
            guard let value = Int(limit), (1...Self.maximumLimit).contains(value) else { throw DomainError.invalidInput("limit is 1 to \(Self.maximumLimit).") }
            self.limit = value
        }
        if let token = query["nextToken"] {
            guard let value = Int(token), value >= 0 else { throw DomainError.invalidInput("nextToken is a token from the X-Next-Token of an earlier page.") }
            offset = value
        }
    }

    /// The SDK encodes `k=v&k2=v2` with each key and value percent-encoded once more.
    static func metadata(_ encoded: String) throws -> [String: String] {
        var pairs: [String: String] = [:]
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let key = decode(parts[0]), let value = decode(parts[1]), !key.isEmpty else {
                throw DomainError.invalidInput("metadata is key=value pairs joined by '&', each percent-encoded.")
            }
            pairs[key] = value
        }
        guard pairs.count <= 64 else { throw DomainError.invalidInput("metadata filters on at most 64 keys.") }
        return pairs
    }

    private static func decode(_ text: Substring) -> String? {
        guard let once = String(text).removingPercentEncoding else { return nil }
        return once.removingPercentEncoding ?? once
    }

    func page(_ sandboxes: [Sandbox]) -> (items: ArraySlice<Sandbox>, nextToken: String?) {
        let start = min(offset, sandboxes.count)
        let end = min(start + limit, sandboxes.count)
        return (sandboxes[start..<end], end < sandboxes.count ? String(end) : nil)
    }
}
