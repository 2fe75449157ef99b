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
    /// What the connection waits for and until when; nil while a response is written.
    private var waiting: (wait: ConnectionWait, deadline: NIODeadline)?
    /// The one timer of the connection and when it fires. Arming a later deadline
    /// leaves it be (when it fires it looks at `waiting` and sleeps again if need be),
    /// so a kept-alive connection's requests schedule and cancel no timer: two of each
    /// per request were ~1.5 % of a one-series query's time.
    private var timer: (task: Scheduled<Void>, at: NIODeadline)?

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
            waiting = nil
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
        stopTimer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimer()
    }

    private enum Wait { case idle, body }

    private func arm(_ wait: Wait, context: ChannelHandlerContext) {
        let (milliseconds, counted): (Int, ConnectionWait) = switch wait {
        case .idle: (deadlines.idleMs, .idle)
        case .body: (deadlines.bodyMs, .body)
        }
        let deadline = context.eventLoop.now + .milliseconds(Int64(milliseconds))
        waiting = (counted, deadline)
        if let timer, timer.at <= deadline { return }
        schedule(at: deadline, context: context)
    }

    private func schedule(at deadline: NIODeadline, context: ChannelHandlerContext) {
        stopTimer()
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let task = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.timer = nil
            guard context.channel.isActive, let waiting = handler.waiting else { return }
            guard context.eventLoop.now >= waiting.deadline else {
                handler.schedule(at: waiting.deadline, context: context)
                return
            }
            handler.onTimeout(waiting.wait)
            context.close(promise: nil)
        }
        timer = (task, deadline)
    }

    private func stopTimer() {
        timer?.task.cancel()
        timer = nil
    }
}
