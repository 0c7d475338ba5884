/// A failure the caller can act on. The HTTP edge maps each kind to one status code.
public struct DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// The input is malformed or breaks a rule (400).
        case invalidInput
        /// No valid credentials (401).
        case unauthenticated
        /// Visible to the caller but not allowed (403).
        case forbidden
        /// Missing, or not visible to the caller (404).
        case notFound
        /// The current state does not allow it (409).
        case conflict
        /// Over a size limit (413).
        case tooLarge
        /// Too many attempts; try again after the given number of seconds (429).
        case tooManyRequests(retryAfterSeconds: Int)
        /// A part the request needs is not reachable now, e.g. the sandbox's agent (503).
        case unavailable
        /// Something the request ran failed, e.g. an extension's operation (502).
        case upstreamFailed
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public static func invalidInput(_ message: String) -> Self { .init(.invalidInput, message) }
    public static func unauthenticated(_ message: String) -> Self { .init(.unauthenticated, message) }
    public static func forbidden(_ message: String) -> Self { .init(.forbidden, message) }
    public static func notFound(_ message: String) -> Self { .init(.notFound, message) }
    public static func conflict(_ message: String) -> Self { .init(.conflict, message) }
    public static func tooLarge(_ message: String) -> Self { .init(.tooLarge, message) }
    public static func unavailable(_ message: String) -> Self { .init(.unavailable, message) }
    public static func upstreamFailed(_ message: String) -> Self { .init(.upstreamFailed, message) }
}
