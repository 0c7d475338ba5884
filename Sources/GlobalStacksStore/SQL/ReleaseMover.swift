import GlobalStacksDomain

/// Who moves a release, with the proof that lets them: the publisher's tenant (its own releases only) or a reviewer
/// (any publisher's). There is no "anyone": each move names one of the two.
enum ReleaseMover {
    case publisher(TenantScope)
    case reviewer(MarketplaceReviewScope)

    var actor: ReleaseStatus.Actor {
        switch self {
        case .publisher: .publisher
        case .reviewer: .reviewer
        }
    }
}
