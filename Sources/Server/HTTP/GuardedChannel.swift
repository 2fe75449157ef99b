import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// A Hummingbird child channel (HTTP/1, or HTTP/1 with the WebSocket upgrade) with
/// Tacho's connection bound in front: the admission gate sees the connection before
/// any byte is parsed. The deadline and stalled-write handlers go after the HTTP codec
/// as the inner channel's additional handlers.
struct GuardedChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value

    let inner: Inner
    let gate: ConnectionGate
    let headTimeoutMs: Int

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(ConnectionAdmissionHandler(gate: gate, headTimeoutMs: Int64(headTimeoutMs)))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // A first head that does not parse is answered 400 and closed (see MalformedHeadResponder).
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try operations.addHandler(MalformedHeadResponder(), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
        // Whatever ended the handling (a failed upgrade negotiation included), the
        // connection does not outlive it: an open socket nobody serves holds a place.
        try? await value.channel.close()
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 behind the admission gate, with `handlers` after the codec.
    static func guardedHTTP1(
        gate: ConnectionGate, headTimeoutMs: Int, handlers: @escaping @Sendable () -> [any RemovableChannelHandler]
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GuardedChannel(
                inner: HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: handlers())),
                gate: gate, headTimeoutMs: headTimeoutMs)
        }
    }
}
