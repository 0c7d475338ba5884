import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

/// Review of every publisher's releases and extension policy: site operators and admins (`MarketplaceReviewScope`).
struct MarketplaceReviewHandler {
    let store: any RequestStore
    let authenticator: Authenticator
    let publishing: PublishingHandler

    func listReviewQueue(_ input: Operations.ListReviewQueue.Input) async throws -> Operations.ListReviewQueue.Output {
        let scope = try AccessPolicy.marketplaceReviewScope(try authenticator.principal())
        return .ok(.init(body: .json(.init(items: try await store.reviewQueue(scope).map(publishing.review)))))
    }

    func getReviewedRelease(_ input: Operations.GetReviewedRelease.Input) async throws -> Operations.GetReviewedRelease.Output {
        let scope = try AccessPolicy.marketplaceReviewScope(try authenticator.principal())
        let id: ExtensionReleaseID = try pathID(input.path.extensionReleaseId, "extension release")
        guard let listed = try await store.reviewedRelease(id: id, scope) else { throw DomainError.notFound("No extension release \(id).") }
        return .ok(.init(body: .json(try publishing.review(listed))))
    }

    func decideExtensionRelease(_ input: Operations.DecideExtensionRelease.Input) async throws -> Operations.DecideExtensionRelease.Output {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.marketplaceReviewScope(principal)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        guard let to = ReleaseStatus(rawValue: request.to.rawValue) else { throw DomainError.invalidInput("to must be approved, rejected, beta, published or revoked.") }
        let visibility = request.visibility.flatMap { ReleaseVisibility(rawValue: $0.rawValue) }
        if visibility != nil, to != .published { throw DomainError.invalidInput("visibility is for publishing only.") }
        let id: ExtensionReleaseID = try pathID(input.path.extensionReleaseId, "extension release")
        guard let listed = try await store.reviewedRelease(id: id, scope) else { throw DomainError.notFound("No extension release \(id).") }
        let moved = try await store.moveReviewedRelease(
            id: id, ReleaseMove(to: to, reason: try request.reason.map(PublishingHandler.reason), visibility: visibility), scope,
            by: principal.user.id, at: Date()
        )
        return .ok(.init(body: .json(try publishing.review(listed.with(moved)))))
    }

    func getExtensionPolicy(_ input: Operations.GetExtensionPolicy.Input) async throws -> Operations.GetExtensionPolicy.Output {
        let scope = try AccessPolicy.marketplaceReviewScope(try authenticator.principal())
        let key = try Self.key(input.path.extensionKey)
        let settings = try await store.extensionPolicy(key: key, scope)
        return .ok(.init(body: .json(.init(extensionKey: key.rawValue, settings: .init(additionalProperties: try APIMapping.container(settings))))))
    }

    func setExtensionPolicy(_ input: Operations.SetExtensionPolicy.Input) async throws -> Operations.SetExtensionPolicy.Output {
        let scope = try AccessPolicy.marketplaceReviewScope(try authenticator.principal())
        let key = try Self.key(input.path.extensionKey)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let settings = try APIMapping.jsonObject(request.settings.additionalProperties)
        guard settings.count <= 100 else { throw DomainError.invalidInput("settings may fix at most 100 settings.") }
        try await store.setExtensionPolicy(key: key, settings: settings, scope, at: Date())
        return .ok(.init(body: .json(.init(extensionKey: key.rawValue, settings: .init(additionalProperties: try APIMapping.container(settings))))))
    }

    /// An extension key from the path; one that cannot be a key is simply not found.
    static func key(_ value: String) throws -> ExtensionKey {
        guard let key = ExtensionKey(rawValue: value) else { throw DomainError.notFound("No extension '\(value.prefix(100))'.") }
        return key
    }
}
