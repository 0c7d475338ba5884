import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// The v1 API's marketplace review and extension policy: maps the contract's input to `ReviewService` and back.
struct MarketplaceReviewHandler {
    let review: ReviewService

    func listReviewQueue(_ input: Operations.ListReviewQueue.Input, caller: Caller) async throws -> Operations.ListReviewQueue.Output {
        .ok(.init(body: .json(.init(items: try await review.queue(caller: caller).map(APIMapping.releaseReview)))))
    }

    func getReviewedRelease(_ input: Operations.GetReviewedRelease.Input, caller: Caller) async throws -> Operations.GetReviewedRelease.Output {
        let id: ExtensionReleaseID = try pathID(input.path.extensionReleaseId, "extension release")
        return .ok(.init(body: .json(try APIMapping.releaseReview(try await review.release(id, caller: caller)))))
    }

    func decideExtensionRelease(_ input: Operations.DecideExtensionRelease.Input, caller: Caller) async throws -> Operations.DecideExtensionRelease.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        guard let to = ReleaseStatus(rawValue: request.to.rawValue) else { throw DomainError.invalidInput("to must be approved, rejected, beta, published or revoked.") }
        let visibility = request.visibility.flatMap { ReleaseVisibility(rawValue: $0.rawValue) }
        let id: ExtensionReleaseID = try pathID(input.path.extensionReleaseId, "extension release")
        let decided = try await review.decide(id, to: to, reason: request.reason, visibility: visibility, caller: caller)
        return .ok(.init(body: .json(try APIMapping.releaseReview(decided))))
    }

    func getExtensionPolicy(_ input: Operations.GetExtensionPolicy.Input, caller: Caller) async throws -> Operations.GetExtensionPolicy.Output {
        let key = try Self.key(input.path.extensionKey)
        let settings = try await review.policy(for: key, caller: caller)
        return .ok(.init(body: .json(.init(extensionKey: key.rawValue, settings: .init(additionalProperties: try APIMapping.container(settings))))))
    }

    func setExtensionPolicy(_ input: Operations.SetExtensionPolicy.Input, caller: Caller) async throws -> Operations.SetExtensionPolicy.Output {
        let key = try Self.key(input.path.extensionKey)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let settings = try APIMapping.jsonObject(request.settings.additionalProperties)
        try await review.setPolicy(for: key, settings: settings, caller: caller)
        return .ok(.init(body: .json(.init(extensionKey: key.rawValue, settings: .init(additionalProperties: try APIMapping.container(settings))))))
    }

    /// An extension key from the path; one that cannot be a key is simply not found.
    static func key(_ value: String) throws -> ExtensionKey {
        guard let key = ExtensionKey(rawValue: value) else { throw DomainError.notFound("No extension '\(value.prefix(100))'.") }
        return key
    }
}
