import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

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
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
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
