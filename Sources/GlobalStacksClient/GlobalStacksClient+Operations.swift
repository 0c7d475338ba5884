import GlobalStacksContract
import OpenAPIRuntime

extension GlobalStacksClient {
    public typealias OperationRun = Components.Schemas.OperationRunDetail
    public typealias QuotaUsage = Components.Schemas.QuotaUsageEntry
    public typealias QuotaFigures = Components.Schemas.QuotaFigures

    /// Starts an operation through the start gate; returns the id of the run it was admitted as (or deduped against,
    /// or that holds its scope) and the gate's status (`accepted`, `deduped`, `scope_busy`, `blocked`).
    public func startOperation(_ type: String, targetContext: [String: String] = [:]) async throws -> (status: String, runID: Int?) {
        let context = try OpenAPIObjectContainer(unvalidatedValue: targetContext.mapValues { $0 as (any Sendable)? })
        let answer = try await call {
            try await client.startOperation(path: .init(operationType: type), body: .json(.init(targetContext: .init(additionalProperties: context)))).ok.body.json
        }
        return (answer.status.rawValue, answer.run?.id)
    }

    public func operationRun(_ id: Int) async throws -> OperationRun {
        try await call { try await client.getOperationRun(path: .init(runId: id)).ok.body.json }
    }

    /// Sets limits on a member's quota in the active organization (nil: unchanged).
    public func setMemberQuota(_ userID: String, maxSessions: Int? = nil, maxCpu: String? = nil, maxMemory: String? = nil, maxStorage: String? = nil) async throws {
        _ = try await call {
            try await client.setUserQuota(
                path: .init(userId: userID), body: .json(.init(maxSessions: maxSessions, maxCpu: maxCpu, maxMemory: maxMemory, maxStorage: maxStorage))
            ).ok
        }
    }

    /// Every quota that applies to the caller, with its use.
    public func quotaUsage() async throws -> [QuotaUsage] {
        try await call { try await client.getQuotaUsage().ok.body.json.items }
    }
}
