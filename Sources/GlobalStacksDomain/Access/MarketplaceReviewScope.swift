/// Proof that a principal reviews the marketplace (site operator or admin): the review queue, release decisions and
/// extension policy, across every publisher. Made only by `AccessPolicy`.
public struct MarketplaceReviewScope: Sendable, Equatable {
    public let reviewerID: UserID

    init(reviewerID: UserID) {
        self.reviewerID = reviewerID
    }
}
