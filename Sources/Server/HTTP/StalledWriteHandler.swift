import NIOCore

/// Closes a connection whose peer stopped reading: when the channel stays unwritable
/// (NIO's outbound buffer over its high watermark, so the kernel's send buffer is full
/// too) for `timeoutMs`, nothing the server writes can reach the client any more.
///
/// A live-stream client that stops reading is cut from the broadcast when its buffer
/// overflows, but the task writing its response would otherwise wait on the socket
/// until TCP gives up, hours later, holding the connection and its memory.
final class StalledWriteHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    let timeoutMs: Int64
    private let onClose: @Sendable () -> Void
    private var timer: Scheduled<Void>?

    init(timeoutMs: Int64, onClose: @escaping @Sendable () -> Void = {}) {
        precondition(timeoutMs > 0, "a stalled-write timeout is positive")
        self.timeoutMs = timeoutMs
        self.onClose = onClose
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            timer?.cancel()
            timer = nil
        } else if timer == nil {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let onClose = self.onClose
            timer = context.eventLoop.scheduleTask(in: .milliseconds(timeoutMs)) {
                let context = loopBound.value
                guard !context.channel.isWritable, context.channel.isActive else { return }
                onClose()
                context.close(promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }
}
