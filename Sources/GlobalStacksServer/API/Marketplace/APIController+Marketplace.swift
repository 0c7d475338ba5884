import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var publishing: PublishingHandler { PublishingHandler(publishing: useCases.publishing) }

    func listDeveloperApps(_ input: Operations.ListDeveloperApps.Input) async throws -> Operations.ListDeveloperApps.Output { try await publishing.listDeveloperApps(input, caller: try caller) }
    func createDeveloperApp(_ input: Operations.CreateDeveloperApp.Input) async throws -> Operations.CreateDeveloperApp.Output { try await publishing.createDeveloperApp(input, caller: try caller) }
    func listPublisherKeys(_ input: Operations.ListPublisherKeys.Input) async throws -> Operations.ListPublisherKeys.Output { try await publishing.listPublisherKeys(input, caller: try caller) }
    func registerPublisherKey(_ input: Operations.RegisterPublisherKey.Input) async throws -> Operations.RegisterPublisherKey.Output { try await publishing.registerPublisherKey(input, caller: try caller) }
    func revokePublisherKey(_ input: Operations.RevokePublisherKey.Input) async throws -> Operations.RevokePublisherKey.Output { try await publishing.revokePublisherKey(input, caller: try caller) }
    func uploadExtensionContent(_ input: Operations.UploadExtensionContent.Input) async throws -> Operations.UploadExtensionContent.Output { try await publishing.uploadExtensionContent(input, caller: try caller) }
    func listExtensionPackages(_ input: Operations.ListExtensionPackages.Input) async throws -> Operations.ListExtensionPackages.Output { try await publishing.listExtensionPackages(input, caller: try caller) }
    func createExtensionPackage(_ input: Operations.CreateExtensionPackage.Input) async throws -> Operations.CreateExtensionPackage.Output { try await publishing.createExtensionPackage(input, caller: try caller) }
    func registerReleaseSignature(_ input: Operations.RegisterReleaseSignature.Input) async throws -> Operations.RegisterReleaseSignature.Output { try await publishing.registerReleaseSignature(input, caller: try caller) }
    func listExtensionReleases(_ input: Operations.ListExtensionReleases.Input) async throws -> Operations.ListExtensionReleases.Output { try await publishing.listExtensionReleases(input, caller: try caller) }
    func createExtensionRelease(_ input: Operations.CreateExtensionRelease.Input) async throws -> Operations.CreateExtensionRelease.Output { try await publishing.createExtensionRelease(input, caller: try caller) }
    func moveExtensionRelease(_ input: Operations.MoveExtensionRelease.Input) async throws -> Operations.MoveExtensionRelease.Output { try await publishing.moveExtensionRelease(input, caller: try caller) }
    func getReleaseAllowlist(_ input: Operations.GetReleaseAllowlist.Input) async throws -> Operations.GetReleaseAllowlist.Output { try await publishing.getReleaseAllowlist(input, caller: try caller) }
    func setReleaseAllowlist(_ input: Operations.SetReleaseAllowlist.Input) async throws -> Operations.SetReleaseAllowlist.Output { try await publishing.setReleaseAllowlist(input, caller: try caller) }
    func listPackageAudit(_ input: Operations.ListPackageAudit.Input) async throws -> Operations.ListPackageAudit.Output { try await publishing.listPackageAudit(input, caller: try caller) }

    var review: MarketplaceReviewHandler { MarketplaceReviewHandler(review: useCases.review) }

    func listReviewQueue(_ input: Operations.ListReviewQueue.Input) async throws -> Operations.ListReviewQueue.Output { try await review.listReviewQueue(input, caller: try caller) }
    func getReviewedRelease(_ input: Operations.GetReviewedRelease.Input) async throws -> Operations.GetReviewedRelease.Output { try await review.getReviewedRelease(input, caller: try caller) }
    func decideExtensionRelease(_ input: Operations.DecideExtensionRelease.Input) async throws -> Operations.DecideExtensionRelease.Output { try await review.decideExtensionRelease(input, caller: try caller) }
    func getExtensionPolicy(_ input: Operations.GetExtensionPolicy.Input) async throws -> Operations.GetExtensionPolicy.Output { try await review.getExtensionPolicy(input, caller: try caller) }
    func setExtensionPolicy(_ input: Operations.SetExtensionPolicy.Input) async throws -> Operations.SetExtensionPolicy.Output { try await review.setExtensionPolicy(input, caller: try caller) }
}
