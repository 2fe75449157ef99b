import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import NIOCore

extension TachoApp {
    /// The WebSocket stream of this server: the SSE stream's broadcaster and feed.
    var webSocketStream: WebSocketStream {
        WebSocketStream(feed: engine, broadcaster: broadcaster, metrics: engine.metrics)
    }

    /// HTTP/1 with the WebSocket upgrade of `GET /api/v1/ws`, behind the connection
    /// gate (`ServerConnection`); `additionalHTTPHandlers` go on every connection while
    /// it stays HTTP (they are removed at the upgrade: a WebSocket has its own pings
    /// instead of deadlines).
    func connection(
        responder: @escaping HTTPChannelHandler.Responder, gate: ConnectionGate, headTimeoutMs: Int,
        additionalHTTPHandlers: @escaping @autoclosure @Sendable () -> [any RemovableChannelHandler]
    ) -> ServerConnection {
        let stream = webSocketStream
        return ServerConnection(
            responder: responder, gate: gate, headTimeoutMs: headTimeoutMs, handlers: additionalHTTPHandlers,
            webSocket: HTTP1WebSocketUpgradeChannel(
                responder: responder, configuration: stream.serverConfiguration(additionalHTTPHandlers: additionalHTTPHandlers())
            ) { request, channel, logger in
                try await stream.shouldUpgrade(request, channel: channel, logger: logger)
            })
    }
}
