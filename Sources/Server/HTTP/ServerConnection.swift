import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// One accepted connection of Tacho's HTTP server (`HTTPServer`). Its whole
/// pipeline is built on the event loop when the connection is accepted — the admission
/// gate, the HTTP/1 codec, the malformed-head answer, the deadline and stalled-write
/// guards, the PromQL queries answered on the connection — and Swift concurrency is
/// reached only when a request for Hummingbird's router arrives (`RouterBridgeHandler`).
///
/// Why not Hummingbird's `HTTP1Channel`: it wraps every connection in an
/// `NIOAsyncChannel` and runs the request loop in a task before a byte is read, and
/// that bridge was ~0.17 ms of server CPU per new connection on the 2-core machine,
/// more than Prometheus's whole request (BENCHMARKS, "What a new connection costs").
/// A client that opens a connection per query (promtool, curl, scripts) paid it each
/// time though its queries never touch the router.
///
/// With `webSocket`, the first request head is looked at before the pipeline is
/// built (`UpgradeSniffer`): a WebSocket upgrade gets Hummingbird's upgrading pipeline
/// unchanged, anything else the pipeline above.
struct ServerConnection: ServerChildChannel, HTTPChannelHandler {
    struct Value: ServerChildChannelValue {
        let channel: any Channel
        /// What the connection turned out to need, known at its first request for the
        /// router (or its upgrade), or when it closes without one.
        let route: EventLoopFuture<Route>
    }

    enum Route: Sendable {
        /// The connection closed without a request for the router.
        case closed
        /// Requests for the router arrive here, from the first one on.
        case router(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// The first request asked for a WebSocket: Hummingbird's upgrading channel serves it.
        case webSocket(HTTP1WebSocketUpgradeChannel, HTTP1WebSocketUpgradeChannel.Value)
    }

    let responder: HTTPChannelHandler.Responder
    let gate: ConnectionGate
    let headTimeoutMs: Int
    /// Go after the HTTP codec on every connection while it is HTTP.
    let handlers: @Sendable () -> [any RemovableChannelHandler]
    /// The upgrade of the WebSocket stream, when the server has one.
    let webSocket: HTTP1WebSocketUpgradeChannel?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let route = channel.eventLoop.makePromise(of: Route.self)
        do {
            let operations = channel.pipeline.syncOperations
            try operations.addHandler(ConnectionAdmissionHandler(gate: gate, headTimeoutMs: Int64(headTimeoutMs)))
            if let webSocket {
                try operations.addHandler(UpgradeSniffer(route: route) { upgrades, channel, route in
                    if upgrades {
                        try Self.addWebSocketPipeline(webSocket, channel: channel, logger: logger, route: route)
                    } else {
                        try addHTTPPipeline(channel: channel, logger: logger, route: route)
                    }
                })
            } else {
                try addHTTPPipeline(channel: channel, logger: logger, route: route)
            }
        } catch {
            route.fail(error)
            return channel.eventLoop.makeFailedFuture(error)
        }
        return channel.eventLoop.makeSucceededFuture(Value(channel: channel, route: route.futureResult))
    }

    /// What Hummingbird's `Server` would call; `HTTPServer` calls `serve` for the
    /// routes that need a task and this is kept for the protocol (and its tests).
    func handle(value: Value, logger: Logger) async {
        guard let route = try? await value.route.get() else {
            try? await value.channel.close()
            return
        }
        await serve(route, channel: value.channel, logger: logger)
    }

    /// Serves what the connection turned out to need (`HTTPServer` calls this for the
    /// routes that need a task: the router's and the WebSocket's).
    func serve(_ route: Route, channel: any Channel, logger: Logger) async {
        switch route {
        case .router(let asyncChannel):
            await handleHTTP(asyncChannel: asyncChannel, logger: logger)
        case .webSocket(let upgrading, let upgradingValue):
            await upgrading.handle(value: upgradingValue, logger: logger)
        case .closed:
            return
        }
        // Whatever ended the handling (a failed upgrade negotiation included), the
        // connection does not outlive it: an open socket nobody serves holds a place.
        try? await channel.close()
    }

    // Both pipeline builders hand `route` on only as their last step, so when one
    // throws the route is still the caller's to end (`PendingRoute`).

    /// HTTP/1 as Hummingbird's `HTTP1Channel` configures it (pipelining and parse
    /// errors handled here, header validation left to Swift HTTP Types), then Tacho's
    /// handlers, Hummingbird's connection-state handler (idle close on quiesce) and the
    /// bridge to the router.
    private func addHTTPPipeline(channel: any Channel, logger: Logger, route: EventLoopPromise<Route>) throws {
        let operations = channel.pipeline.syncOperations
        try operations.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
            withEncoderConfiguration: .init(), withDecoderLimitConfiguration: .init())
        // A first head that does not parse is answered 400 and closed.
        try operations.addHandler(MalformedHeadResponder())
        try operations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
        try operations.addHandlers(handlers())
        try operations.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
        try operations.addHandler(RouterBridgeHandler(route: route))
    }

    private static func addWebSocketPipeline(
        _ upgrading: HTTP1WebSocketUpgradeChannel, channel: any Channel, logger: Logger, route: EventLoopPromise<Route>
    ) throws {
        // Hummingbird builds its pipeline on the loop before the future completes, so
        // the decoder is there to place the malformed-head answer after.
        let value = upgrading.setup(channel: channel, logger: logger)
        let operations = channel.pipeline.syncOperations
        let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        try operations.addHandler(MalformedHeadResponder(), position: .after(decoder))
        // Last: a throw above leaves the route to the sniffer, which ends it `closed`.
        value.whenComplete { result in
            route.completeWith(result.map { .webSocket(upgrading, $0) })
        }
    }
}

/// A connection's route held by the handler that will learn it (`UpgradeSniffer`,
/// `RouterBridgeHandler`) until it is handed on: the route is completed exactly once,
/// by whoever it was handed to or, when the connection ends first, `.closed` here.
struct PendingRoute {
    private var promise: EventLoopPromise<ServerConnection.Route>?

    init(_ promise: EventLoopPromise<ServerConnection.Route>) {
        self.promise = promise
    }

    var isPending: Bool { promise != nil }

    /// The route, now the caller's to complete; nil when handed on already.
    mutating func handOn() -> EventLoopPromise<ServerConnection.Route>? {
        defer { promise = nil }
        return promise
    }

    /// Ends the route `.closed` unless it was handed on.
    mutating func endClosed() {
        handOn()?.succeed(.closed)
    }

    /// Whether `event` is the client's end of input (servers allow half-closure, so
    /// nothing else closes a connection whose client stopped sending).
    static func isEndOfInput(_ event: Any) -> Bool {
        (event as? ChannelEvent) == .inputClosed
    }
}

extension ServerConnection {
    /// Tacho's connections without a WebSocket stream.
    static func http1(
        responder: @escaping HTTPChannelHandler.Responder, gate: ConnectionGate, headTimeoutMs: Int,
        handlers: @escaping @Sendable () -> [any RemovableChannelHandler]
    ) -> ServerConnection {
        ServerConnection(responder: responder, gate: gate, headTimeoutMs: headTimeoutMs, handlers: handlers, webSocket: nil)
    }
}
