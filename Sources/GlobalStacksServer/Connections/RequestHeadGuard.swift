import HTTPTypes
import NIOCore
import NIOHTTP1

/// Guards a new connection until its first request head is complete. A connection that sends nothing is closed after
/// the silence timeout (`ConnectionSettings.firstRequestTimeout`, shorter than a kept-alive connection's idle timeout:
/// a connection that never asked anything holds a place for nobody); once its first bytes arrive the head must be
/// complete within the head timeout, else 408. A head the HTTP decoder refuses (over `ConnectionSettings.maximumRequestHeadBytes`, or
/// malformed) is answered 431 or 400. The connection is closed in every case. Without it, such a connection got no
/// answer and stayed open, because the WebSocket upgrade step that reads the first head handles neither.
///
/// It sits after the upgrade step and leaves the pipeline as soon as anything passes it: the request head on its
/// way to the HTTP handlers, or the event that the connection became a WebSocket. Later requests on a kept-alive
/// connection are Hummingbird's (its idle timeout, and 400 for a head the decoder refuses). Its `FirstBytes` partner,
/// before the decoder, tells it when the first bytes arrive.
final class RequestHeadGuard: ChannelInboundHandler, RemovableChannelHandler {
    /// Never unwrapped: whatever arrives means the head was read, and is passed on as it is.
    typealias InboundIn = Never
    typealias OutboundOut = HTTPServerResponsePart

    private let silenceTimeout: TimeAmount
    private let headTimeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var finished = false
    private var context: ChannelHandlerContext?

    init(silenceTimeout: TimeAmount, headTimeout: TimeAmount) {
        self.silenceTimeout = silenceTimeout
        self.headTimeout = headTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: silenceTimeout) { [self] in
            guard !finished else { return }
            finished = true
            context.close(promise: nil)
        }
    }

    /// The first bytes of the connection arrived: from now on the head has `headTimeout` to be complete.
    func firstBytesArrived() {
        guard !finished, let context else { return }
        timer?.cancel()
        let seconds = headTimeout.nanoseconds / 1_000_000_000
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: headTimeout) { [self] in
            refuse(context, .requestTimeout, "The request head was not complete within \(seconds) s.")
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
        finish(context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The server is stopping: a connection that has not sent a request has nothing to finish.
        if event is ChannelShouldQuiesceEvent, !finished {
            finished = true
            timer?.cancel()
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
        if event is HTTPServerUpgradeEvents { finish(context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !finished, let error = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if error == .headerOverflow {
            let limit = ConnectionSettings.maximumRequestHeadBytes / 1024
            refuse(context, .requestHeaderFieldsTooLarge, "The request line and headers must fit in \(limit) KiB; send large values in the body.")
        } else {
            refuse(context, .badRequest, "The request is not valid HTTP/1.1 (\(error)).")
        }
    }

    private func finish(_ context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// Answers with the contract's error body and closes the connection.
    private func refuse(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ message: String) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        let body = ByteBuffer(bytes: ErrorResponse(status: .init(code: Int(status.code)), message: message).jsonBody)
        let headers = HTTPHeaders([
            ("Content-Type", "application/json"), ("Content-Length", "\(body.readableBytes)"), ("Connection", "close"),
        ])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

extension RequestHeadGuard {
    /// Sits before the HTTP decoder and tells the guard when the connection's first bytes arrive, then leaves.
    final class FirstBytes: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer

        private let guardian: RequestHeadGuard

        init(_ guardian: RequestHeadGuard) {
            self.guardian = guardian
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guardian.firstBytesArrived()
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }
}
