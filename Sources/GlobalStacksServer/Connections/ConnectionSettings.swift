/// Limits on what a client connection may hold, so that slow or many clients cannot exhaust the server.
public struct ConnectionSettings: Sendable, Equatable {
    /// Largest request head (request line and headers) accepted; a larger one is answered 431 and the connection closed.
    public static let maximumRequestHeadBytes = 64 * 1024

    /// Open connections accepted at once (HTTP and WebSocket); nil derives it from the file-descriptor limit, keeping a
    /// reserve for the database, sandboxes and the runtime. Connections beyond it are answered 503 and closed.
    public var maximumConnections: Int?
    /// Open connections one client address may hold at once, so that one address cannot take every place; more are
    /// answered 429 and closed.
    public var maximumConnectionsPerAddress = 128
    /// How long a new connection may stay silent before its first bytes; then it is closed without an answer.
    public var firstRequestTimeout: Duration = .seconds(10)
    /// How long a connection has, from its first bytes, to send a complete request head; then it is answered 408 and closed.
    public var requestHeadTimeout: Duration = .seconds(10)
    /// How long a kept-alive connection may stay idle between requests.
    public var idleTimeout: Duration = .seconds(75)

    public init() {}
}
