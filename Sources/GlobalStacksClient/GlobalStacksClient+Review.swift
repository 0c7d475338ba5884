import GlobalStacksContract
import OpenAPIRuntime

extension GlobalStacksClient {
    public typealias ReleaseReview = Components.Schemas.ExtensionReleaseReview

    /// Submitted releases waiting for review, oldest first, with their automated findings (site operators and admins).
    public func reviewQueue() async throws -> [ReleaseReview] {
        try await call { try await client.listReviewQueue().ok.body.json.items }
    }

    public func reviewedRelease(_ id: String) async throws -> ReleaseReview {
        try await call { try await client.getReviewedRelease(path: .init(extensionReleaseId: id)).ok.body.json }
    }

    /// A reviewer's move of a release: `approved`, `rejected` (with a reason), `beta`, `published` (public unless
    /// `visibility` is `allowlisted`) or `revoked`.
    public func decideRelease(_ id: String, to: String, reason: String? = nil, visibility: String? = nil) async throws -> ReleaseReview {
        guard let target = Components.Schemas.ReleaseDecisionRequest.ToPayload(rawValue: to) else {
            throw GlobalStacksClientError(status: 400, message: "A reviewer moves a release to approved, rejected, beta, published or revoked.")
        }
        let shown = try visibility.map { text in
            guard let value = Components.Schemas.ReleaseDecisionRequest.VisibilityPayload(rawValue: text) else {
                throw GlobalStacksClientError(status: 400, message: "A release is published public or allowlisted.")
            }
            return value
        }
        return try await call {
            try await client.decideExtensionRelease(path: .init(extensionReleaseId: id), body: .json(.init(to: target, reason: reason, visibility: shown))).ok.body.json
        }
    }
}
