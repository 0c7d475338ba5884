import Logging

/// A request nobody has authenticated (sign-in, the first start, sign-up, device sign-in), as its edge saw it: the
/// client's address, which sign-in throttling counts, and the request's logger.
public struct AnonymousRequest: Sendable {
    public let clientAddress: String
    public let logger: Logger

    public init(clientAddress: String, logger: Logger) {
        self.clientAddress = clientAddress
        self.logger = logger
    }
}
