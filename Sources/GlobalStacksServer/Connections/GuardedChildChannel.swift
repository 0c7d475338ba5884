import HTTPTypes
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// The server's connections: `Inner` (HTTP/1 with the agents' WebSocket upgrade) behind the connection limits and
/// the request-head guard (which also closes a connection that stays silent past the first-request timeout). A
/// connection beyond the limit is answered 503, and one beyond its address's share 429, and closed before anything is
/// read from it, so the process keeps descriptors for its database, its sandboxes and its runtime, and one address
/// cannot take every place.
struct GuardedChildChannel<Inner: ServerChildChannel>: ServerChildChannel {
    enum Value: ServerChildChannelValue {
        case admitted(Inner.Value)
        case refused(any Channel)

        var channel: any Channel {
            switch self {
            case .admitted(let value): value.channel
            case .refused(let channel): channel
            }
        }
    }

    let inner: Inner
    let limiter: ConnectionLimiter
    let firstRequestTimeout: TimeAmount
    let requestHeadTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // The peer's address, as login throttling knows the client: behind a proxy, the proxy's.
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        switch limiter.admit(from: address) {
        case .admitted:
            break
        case .serverFull:
            return Self.refuse(channel, .serviceUnavailable, "The server is at its connection limit; retry shortly.")
        case .addressFull:
            return Self.refuse(
                channel, .tooManyRequests,
                "Your address holds \(limiter.capacityPerAddress) connections, as many as one address may; close some or reuse them."
            )
        }
        let limiter = self.limiter
        channel.closeFuture.whenComplete { _ in limiter.release(from: address) }
        let (silenceTimeout, headTimeout) = (firstRequestTimeout, requestHeadTimeout)
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let guardian = RequestHeadGuard(silenceTimeout: silenceTimeout, headTimeout: headTimeout)
            try channel.pipeline.syncOperations.addHandler(guardian)
            try channel.pipeline.syncOperations.addHandler(RequestHeadGuard.FirstBytes(guardian), position: .first)
            return .admitted(value)
        }.flatMapErrorThrowing { error in
            channel.close(promise: nil)  // a channel whose setup failed is never registered: close it, or its place is never released
            throw error
        }
    }

    /// Answers a connection that gets no place, with `Retry-After: 1`, and closes it.
    private static func refuse(_ channel: any Channel, _ status: HTTPResponse.Status, _ message: String) -> EventLoopFuture<Value> {
        // Nothing is in the pipeline yet: these bytes go straight to the socket.
        let body = ErrorResponse(status: status, message: message).jsonBody
        var response = ByteBuffer(
            string: "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"
        )
        response.writeBytes(body)
        channel.writeAndFlush(response).whenComplete { _ in channel.close(promise: nil) }
        return channel.eventLoop.makeSucceededFuture(.refused(channel))
    }

    func handle(value: Value, logger: Logger) async {
        guard case .admitted(let inner) = value else { return }
        await self.inner.handle(value: inner, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the WebSocket upgrade, behind the connection limit and the request-head guard.
    static func guardedHTTP1WebSocketUpgrade(
        configuration: HTTP1WebSocketUpgradeChannel.Configuration, limiter: ConnectionLimiter, settings: ConnectionSettings,
        shouldUpgrade: @escaping @Sendable (HTTPRequest, any Channel, Logger) async throws
            -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>
    ) -> HTTPServerBuilder {
        .init { responder in
            GuardedChildChannel(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, configuration: configuration, shouldUpgrade: shouldUpgrade),
                limiter: limiter, firstRequestTimeout: TimeAmount(settings.firstRequestTimeout),
                requestHeadTimeout: TimeAmount(settings.requestHeadTimeout)
            )
        }
    }
}
