@testable import GlobalStacksDomain

extension Fixtures {
    /// The platform scope `AccessPolicy.platformScope` makes for a site operator.
    static let platform = PlatformScope(operatorID: .generate())
}
