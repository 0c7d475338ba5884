import HTTPTypes
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// The server's connections: `Inner` (HTTP/1 with the agents' WebSocket upgrade) behind the connection limit and
/// the request-head guard (which also closes a connection that stays silent past the idle timeout). A connection beyond the limit is answered 503 and closed before anything is read from it,
/// so the process keeps descriptors for its database, its sandboxes and its runtime.
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
    let requestHeadTimeout: TimeAmount
    let idleTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard limiter.admit() else {
            // Nothing is in the pipeline yet: these bytes go straight to the socket.
            let body = ErrorResponse(status: .serviceUnavailable, message: "The server is at its connection limit; retry shortly.").jsonBody
            var response = ByteBuffer(string: "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\nRetry-After: 1\r\n\r\n")
            response.writeBytes(body)
            channel.writeAndFlush(response).whenComplete { _ in channel.close(promise: nil) }
            return channel.eventLoop.makeSucceededFuture(.refused(channel))
        }
        let limiter = self.limiter
        channel.closeFuture.whenComplete { _ in limiter.release() }
        let (headTimeout, idleTimeout) = (requestHeadTimeout, self.idleTimeout)
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let guardian = RequestHeadGuard(headTimeout: headTimeout, idleTimeout: idleTimeout)
            try channel.pipeline.syncOperations.addHandler(guardian)
            try channel.pipeline.syncOperations.addHandler(RequestHeadGuard.FirstBytes(guardian), position: .first)
            return .admitted(value)
        }.flatMapErrorThrowing { error in
            channel.close(promise: nil)  // a channel whose setup failed is never registered: close it, or its place is never released
            throw error
        }
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
                limiter: limiter, requestHeadTimeout: TimeAmount(settings.requestHeadTimeout), idleTimeout: TimeAmount(settings.idleTimeout)
            )
        }
    }
}
