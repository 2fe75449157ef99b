import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// The last handler of a connection's HTTP pipeline (`ServerConnection`): builds the
/// `NIOAsyncChannel` that hands requests to Hummingbird's router when the first of
/// them reaches it, not when the connection opens. A connection whose requests are
/// all answered ahead of it (PromQL queries, `PromQueryHandler`) never builds one.
///
/// Until then it answers what Hummingbird's request loop would: a request that fails
/// to parse gets `400` with `Connection: close`, any other error closes the connection,
/// and so does the client's end of input. The route is the bridge, or `.closed` when
/// the connection ends without one (`PendingRoute`).
final class RouterBridgeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private var route: PendingRoute

    init(route: EventLoopPromise<ServerConnection.Route>) {
        self.route = PendingRoute(route)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let route = route.handOn() {
            do {
                // Its handlers go after this one, so the part below is its first.
                let bridge = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                    wrappingChannelSynchronously: context.channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                route.succeed(.router(bridge))
            } catch {
                route.fail(error)
                context.close(promise: nil)
                return
            }
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard route.isPending else {
            // The router's request loop has it.
            context.fireErrorCaught(error)
            return
        }
        guard error is HTTPParserError, context.channel.isActive else {
            context.close(promise: nil)
            return
        }
        var fields = HTTPFields()
        fields[.connection] = "close"
        fields[.contentLength] = "0"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .badRequest, headerFields: fields))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client closed its side with nothing left for the router: the connection is done.
        if route.isPending, PendingRoute.isEndOfInput(event) {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        route.endClosed()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        route.endClosed()
    }
}
