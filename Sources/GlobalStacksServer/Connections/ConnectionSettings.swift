/// Limits on what a client connection may hold, so that slow or many clients cannot exhaust the server.
public struct ConnectionSettings: Sendable, Equatable {
    /// Largest request head (request line and headers) accepted; a larger one is answered 431 and the connection closed.
    public static let maximumRequestHeadBytes = 64 * 1024

    /// Open connections accepted at once (HTTP and WebSocket); nil derives it from the file-descriptor limit, keeping a
    /// reserve for the database, sandboxes and the runtime. Connections beyond it are answered 503 and closed.
    public var maximumConnections: Int?
    /// How long a connection has, from its first bytes, to send a complete request head; then it is answered 408 and closed.
    public var requestHeadTimeout: Duration = .seconds(10)
    /// How long a connection may stay idle: before its first request, and between requests when kept alive.
    public var idleTimeout: Duration = .seconds(75)

    public init() {}
}
