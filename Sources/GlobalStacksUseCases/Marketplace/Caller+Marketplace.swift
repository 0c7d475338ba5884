import GlobalStacksDomain

extension Caller {
    /// The active tenant, for a caller who may publish from it (`publishExtensions`: owners and admins).
    func publisherTenant() throws -> TenantScope {
        let scope = try activeTenant()
        try require(.publishExtensions)
        return scope
    }

    /// Review across every publisher: site operators and admins only (403 otherwise).
    func marketplaceReview() throws -> MarketplaceReviewScope {
        try AccessPolicy.marketplaceReviewScope(principal)
    }
}
