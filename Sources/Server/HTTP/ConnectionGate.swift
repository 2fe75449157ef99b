import NIOCore
import Synchronization

/// Counts the server's open connections against `connectionsMax`, shared by every
/// connection's `ConnectionAdmissionHandler`.
///
/// The bound exists so that idle or hostile sockets cannot use up the process's
/// file descriptors: past it the server still accepts (the kernel's backlog would
/// otherwise fill and stall everyone), answers 503 with `Retry-After`, and closes.
public final class ConnectionGate: Sendable {
    public let connectionsMax: Int
    private let open = Atomic<Int>(0)
    let metrics: EngineMetrics?

    public init(connectionsMax: Int, metrics: EngineMetrics? = nil) {
        precondition(connectionsMax > 0, "a connection limit is positive")
        self.connectionsMax = connectionsMax
        self.metrics = metrics
    }

    /// Connections admitted and not yet closed.
    public var openConnections: Int { open.load(ordering: .relaxed) }

    /// Takes a place when one is free.
    func tryEnter() -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < connectionsMax {
            let (exchanged, original) = open.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged {
                metrics?.connectionOpened()
                return true
            }
            current = original
        }
        metrics?.recordConnectionRefused()
        return false
    }

    func leave() {
        let before = open.subtract(1, ordering: .relaxed).oldValue
        precondition(before > 0, "a connection left the gate more often than it entered")
        metrics?.connectionClosed()
    }
}

/// The first handler of every connection: admits it through the gate, or answers a
/// raw 503 with `Retry-After` and closes it before any HTTP parsing is spent on it.
/// It also holds the first request to `headTimeoutMs`: the connection is closed unless
/// the first request head is complete by then (a client that connects and sends
/// nothing, or a head trickled byte by byte). It watches the raw bytes for the blank
/// line that ends a head because the HTTP handlers behind it may not exist yet: with
/// the WebSocket upgrade they are added once a first head has been parsed. Later
/// requests on the connection are `RequestDeadlineHandler`'s.
final class ConnectionAdmissionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Seconds a refused client is told to wait before it tries again.
    static let retryAfterSeconds = 5
    static let refusalBody = #"{"error":"too many connections","detail":"the server holds its maximum of open connections (--connections-max); retry later"}"#
    static let refusal: String =
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: \(retryAfterSeconds)\r\nContent-Type: application/json\r\n"
        + "Content-Length: \(refusalBody.utf8.count)\r\nConnection: close\r\n\r\n" + refusalBody

    private let gate: ConnectionGate
    private let headTimeoutMs: Int64
    private var admitted = false
    private var headTimer: Scheduled<Void>?
    /// The last bytes seen of the first head, to find its end across reads.
    private var tail: UInt32 = 0

    init(gate: ConnectionGate, headTimeoutMs: Int64) {
        precondition(headTimeoutMs > 0, "a head timeout is positive")
        self.gate = gate
        self.headTimeoutMs = headTimeoutMs
    }

    func channelActive(context: ChannelHandlerContext) {
        if gate.tryEnter() {
            admitted = true
            armHeadDeadline(context: context)
            context.fireChannelActive()
            return
        }
        let answer = context.channel.allocator.buffer(string: Self.refusal)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(answer)).whenComplete { _ in loopBound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A refused connection's bytes are never parsed.
        guard admitted else { return }
        if headTimer != nil, endsFirstHead(unwrapInboundIn(data)) {
            headTimer?.cancel()
            headTimer = nil
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        headTimer?.cancel()
        headTimer = nil
        if admitted {
            admitted = false
            gate.leave()
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        headTimer?.cancel()
        headTimer = nil
    }

    private func armHeadDeadline(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let metrics = gate.metrics
        headTimer = context.eventLoop.scheduleTask(in: .milliseconds(headTimeoutMs)) {
            let context = loopBound.value
            guard context.channel.isActive else { return }
            metrics?.recordConnectionTimedOut(.head)
            context.close(promise: nil)
        }
    }

    /// Whether `bytes` complete the first head: CRLF CRLF (or LF LF) seen, across reads.
    private func endsFirstHead(_ bytes: ByteBuffer) -> Bool {
        for byte in bytes.readableBytesView {
            tail = tail << 8 | UInt32(byte)
            if tail == 0x0D0A_0D0A || tail & 0xFFFF == 0x0A0A { return true }
        }
        return false
    }
}
