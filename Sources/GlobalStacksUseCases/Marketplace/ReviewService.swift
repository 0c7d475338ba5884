import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// Review of every publisher's releases, and control-plane policy for extensions' settings: site operators and admins
/// only (`MarketplaceReviewScope`).
public struct ReviewService: Sendable {
    private let store: any MarketplaceReviewRepository
    private let content: any ContentStore

    public init(store: any MarketplaceReviewRepository, content: any ContentStore) {
        self.store = store
        self.content = content
    }

    /// Submitted releases, oldest submission first.
    public func queue(caller: Caller) async throws -> [ReleaseReview] {
        var reviews: [ReleaseReview] = []
        for listed in try await store.reviewQueue(try caller.marketplaceReview()) {
            reviews.append(await content.review(listed))
        }
        return reviews
    }

    public func release(_ id: ExtensionReleaseID, caller: Caller) async throws -> ReleaseReview {
        await content.review(try await reviewedRelease(id, try caller.marketplaceReview()))
    }

    /// A reviewer's move: approve, reject, beta, publish (publicly or to an allowlist) or revoke.
    public func decide(
        _ id: ExtensionReleaseID, to: ReleaseStatus, reason: String?, visibility: ReleaseVisibility?, caller: Caller
    ) async throws -> ReleaseReview {
        let scope = try caller.marketplaceReview()
        if visibility != nil, to != .published { throw DomainError.invalidInput("visibility is for publishing only.") }
        let listed = try await reviewedRelease(id, scope)
        let moved = try await store.moveReviewedRelease(
            id: id, ReleaseMove(to: to, reason: try reason.map(Validation.reason), visibility: visibility), scope,
            by: caller.user.id, at: Date()
        )
        return await content.review(listed.with(moved))
    }

    /// The settings policy fixes for the extension (policy wins over a tenant's settings).
    public func policy(for key: ExtensionKey, caller: Caller) async throws -> [String: JSONValue] {
        try await store.extensionPolicy(key: key, try caller.marketplaceReview())
    }

    /// Replaces the extension's policy (at most 100 settings).
    public func setPolicy(for key: ExtensionKey, settings: [String: JSONValue], caller: Caller) async throws {
        let scope = try caller.marketplaceReview()
        guard settings.count <= 100 else { throw DomainError.invalidInput("settings may fix at most 100 settings.") }
        try await store.setExtensionPolicy(key: key, settings: settings, scope, at: Date())
    }

    private func reviewedRelease(_ id: ExtensionReleaseID, _ scope: MarketplaceReviewScope) async throws -> ListedRelease {
        guard let listed = try await store.reviewedRelease(id: id, scope) else { throw DomainError.notFound("No extension release \(id).") }
        return listed
    }
}
