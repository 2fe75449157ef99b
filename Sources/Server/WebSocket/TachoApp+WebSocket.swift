import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import NIOCore

extension TachoApp {
    /// The WebSocket stream of this server: the SSE stream's broadcaster and feed.
    var webSocketStream: WebSocketStream {
        WebSocketStream(feed: engine, broadcaster: broadcaster, metrics: engine.metrics)
    }

    /// HTTP/1 with the WebSocket upgrade of `GET /api/v1/ws`; `additionalHTTPHandlers`
    /// go on every connection that stays HTTP.
    func httpServer(additionalHTTPHandlers: @escaping @autoclosure @Sendable () -> [any RemovableChannelHandler]) -> HTTPServerBuilder {
        let stream = webSocketStream
        return .http1WebSocketUpgrade(configuration: stream.serverConfiguration(additionalHTTPHandlers: additionalHTTPHandlers())) { request, channel, logger in
            try await stream.shouldUpgrade(request, channel: channel, logger: logger)
        }
    }
}
