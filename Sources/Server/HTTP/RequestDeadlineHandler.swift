import NIOCore
import NIOHTTPTypes

/// How long a connection may take between requests and over a body, in milliseconds;
/// `ServerOptions.validate()` checks them together. (The first head's deadline is the
/// admission handler's: `ServerOptions.requestHeadTimeoutMs`.)
public struct RequestDeadlines: Sendable, Equatable {
    /// From the end of a response to the next request head on a kept-alive connection.
    public var idleMs: Int
    /// From a request head to the end of its body (bodies trickled byte by byte).
    public var bodyMs: Int

    public init(idleMs: Int, bodyMs: Int) {
        self.idleMs = idleMs
        self.bodyMs = bodyMs
    }
}

/// What a connection was waiting for when its deadline passed; the label of
/// `tacho_connections_timed_out_total`.
public enum ConnectionWait: String, Sendable, CaseIterable {
    case head
    case idle
    case body
}

/// Closes a connection that keeps the server waiting: no next request within
/// `idleMs` of the last response, or a body that has not ended `bodyMs` after its
/// head. (The first head's deadline, `headMs` from accept, is kept by
/// `ConnectionAdmissionHandler`, which is there before any HTTP handler.)
///
/// While a response is being written there is no deadline here: a live stream is
/// a response that never ends, and a peer that stops reading it is
/// `StalledWriteHandler`'s business. Sits after the HTTP codec, so it sees whole
/// request and response parts.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let deadlines: RequestDeadlines
    private let onTimeout: @Sendable (ConnectionWait) -> Void
    /// Requests whose head was read and whose response has not ended.
    private var requestsOpen = 0
    private var readingBody = false
    private var timer: Scheduled<Void>?

    init(deadlines: RequestDeadlines, onTimeout: @escaping @Sendable (ConnectionWait) -> Void = { _ in }) {
        precondition(deadlines.idleMs > 0 && deadlines.bodyMs > 0, "deadlines are positive")
        self.deadlines = deadlines
        self.onTimeout = onTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestsOpen += 1
            readingBody = true
            arm(.body, context: context)
        case .body:
            break
        case .end:
            readingBody = false
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            // No open request: Hummingbird's 400 to a kept-alive connection's next request
            // whose head did not parse (this handler never saw that head); the connection
            // closes after it. Found by the hostile-load test (issue 12): an assert here
            // stopped a debug server.
            requestsOpen = max(0, requestsOpen - 1)
            if requestsOpen == 0, !readingBody { arm(.idle, context: context) }
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    private enum Wait { case idle, body }

    private func arm(_ wait: Wait, context: ChannelHandlerContext) {
        disarm()
        let (milliseconds, counted): (Int, ConnectionWait) = switch wait {
        case .idle: (deadlines.idleMs, .idle)
        case .body: (deadlines.bodyMs, .body)
        }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let onTimeout = self.onTimeout
        timer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds))) {
            let context = loopBound.value
            guard context.channel.isActive else { return }
            onTimeout(counted)
            context.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
