import GlobalStacksDomain

/// Turns a placement refusal into advice that fits the installation (a single node's embedded agent that is still
/// starting, or failed), or returns nil to leave the refusal as it is.
public protocol PlacementAdvice: Sendable {
    func explain(_ refusal: DomainError) -> DomainError?
}
