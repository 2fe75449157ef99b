import NIOCore
import NIOHTTP1

/// Answers a connection whose first request head cannot be parsed with `400` and a
/// JSON error, then closes it. Placed right after the HTTP/1 decoder; it leaves the
/// pipeline as soon as a first head parses (later requests' parse errors are
/// Hummingbird's, which answers them 400 too).
///
/// Found by the hostile-load test (issue 12): behind the WebSocket-upgrading pipeline a
/// first head that does not parse failed the upgrade negotiation and nothing answered
/// or closed the connection; its head deadline was already disarmed (the head had
/// ended), so each malformed request held a connection and a descriptor for good.
final class MalformedHeadResponder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundOut = HTTPServerResponsePart

    static let body = #"{"error":"bad request","detail":"the request head is not valid HTTP/1.1; the connection is closed"}"#

    private let onMalformed: @Sendable () -> Void
    private var answered = false

    init(onMalformed: @escaping @Sendable () -> Void = {}) {
        self.onMalformed = onMalformed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
        // A head parsed: from here on the HTTP handlers answer parse errors themselves.
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        onMalformed()
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(Self.body.utf8.count))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: Self.body)))), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in loopBound.value.close(promise: nil) }
    }
}
