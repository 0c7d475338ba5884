import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1

/// The answer to a WebSocket upgrade an endpoint refused: its status and `{"message": …}` body (and headers, such as
/// `Retry-After`), written in place of the bare 400 without a body that Hummingbird sends for every refused upgrade.
/// The endpoint adds it to the connection before it answers `.dontUpgrade`; it then sits where the HTTP/1 response
/// parts pass (after the upgrade step, before the HTTP handlers Hummingbird adds), and rewrites that one response.
final class UpgradeRefusal: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let refusal: ErrorResponse

    private init(_ refusal: ErrorResponse) {
        self.refusal = refusal
    }

    /// Makes `refusal` the answer to the upgrade request being decided on `channel`.
    static func install(_ refusal: ErrorResponse, on channel: any Channel) async {
        // Only fails when the connection is already gone: then nobody is left to answer.
        try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(UpgradeRefusal(refusal))
        }.get()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            var headers = HTTPHeaders()
            for field in refusal.headers { headers.add(name: field.name.rawName, value: field.value) }
            headers.replaceOrAdd(name: "Content-Type", value: "application/json; charset=utf-8")
            headers.replaceOrAdd(name: "Content-Length", value: "\(refusal.jsonBody.count)")
            headers.replaceOrAdd(name: "Connection", value: "close")
            let status = HTTPResponseStatus(statusCode: refusal.status.code)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: promise)
        case .body:
            promise?.succeed(())  // the bare answer has none; ours follows at its end
        case .end(let trailers):
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: refusal.jsonBody)))), promise: nil)
            context.write(wrapOutboundOut(.end(trailers)), promise: promise)
        }
    }
}
