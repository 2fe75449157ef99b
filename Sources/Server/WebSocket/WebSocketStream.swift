import EventStore
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Projections

/// Limits and timings of the WebSocket stream.
public struct WebSocketStreamOptions: Sendable {
    public var path = "/api/v1/ws"
    /// Protocol-level ping frames; a client that has not answered the previous one by
    /// the next is disconnected.
    public var heartbeatInterval: Duration = .seconds(30)
    /// How long a new connection without `?since=` waits for a first message that may
    /// be a `resume` before it starts live (live messages meanwhile stay queued in the
    /// client's bounded buffer, so none is lost). Any first message ends the wait.
    public var firstMessageWait: Duration = .milliseconds(500)
    /// The largest client message (commands are tiny).
    public var commandBytesMax = 4096
    /// The largest frame accepted from a client.
    public var inboundFrameBytesMax = 1 << 16
    /// Closes a connection that stayed unwritable this long (its client stopped reading).
    public var stalledWriteTimeoutMs: Int64 = 30_000

    public init() {}
}

/// `GET /api/v1/ws`: the live stream over WebSocket. The same messages as the SSE
/// stream, from the same broadcaster with the same bounded per-client buffer and
/// `lagged` rule, each with its log offset (`WebSocketMessages`). Reads need no token,
/// as the SSE stream's do not.
///
/// Resume: `?since=<offset>` on the URL, or `{"type":"resume","since":<offset>}` as the
/// first message, plans the start exactly as `Last-Event-ID` does for SSE
/// (`SSEResumePlan`), and the prelude is the SSE handler's (`StreamController.prelude`):
/// the views and alerts the missed offsets touched, as of the snapshot read after
/// subscribing, then live messages past that snapshot through an `SSEResumeGate`, so
/// there is no gap and no duplicate.
struct WebSocketStream: Sendable {
    let feed: any UpdateFeed
    let broadcaster: SSEBroadcaster
    let stream: StreamController<BasicRequestContext>
    let options: WebSocketStreamOptions
    let metrics: EngineMetrics?
    let nowNs: @Sendable () -> Int64

    init(feed: any UpdateFeed, broadcaster: SSEBroadcaster, options: WebSocketStreamOptions = WebSocketStreamOptions(),
         metrics: EngineMetrics? = nil, nowNs: @escaping @Sendable () -> Int64 = { EventTime.nowNs() }) {
        self.feed = feed
        self.broadcaster = broadcaster
        self.stream = StreamController(feed: feed, broadcaster: broadcaster)
        self.options = options
        self.metrics = metrics
        self.nowNs = nowNs
    }

    /// The server's channel configuration: HTTP/1 with this stream's upgrade.
    func serverConfiguration(additionalHTTPHandlers: @escaping @autoclosure @Sendable () -> [any RemovableChannelHandler]) -> HTTP1WebSocketUpgradeChannel.Configuration {
        HTTP1WebSocketUpgradeChannel.Configuration(
            http1: HTTP1Channel.Configuration(additionalChannelHandlers: additionalHTTPHandlers()),
            ws: WebSocketServerConfiguration(
                maxFrameSize: options.inboundFrameBytesMax, autoPing: .enabled(timePeriod: options.heartbeatInterval)))
    }

    /// Upgrades requests for `options.path`; the handler runs the session.
    func shouldUpgrade(_ request: HTTPRequest, channel: any Channel, logger: Logger) async throws -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let target = request.path ?? ""
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        guard path == options.path else { return .dontUpgrade }
        let since = Self.queryValue("since", in: target)
        let metrics = self.metrics
        let timeoutMs = options.stalledWriteTimeoutMs
        // The HTTP handlers' stalled-write guard is not kept across the upgrade.
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(StalledWriteHandler(timeoutMs: timeoutMs) {
                metrics?.recordStalledConnectionClosed()
            })
        }.get()
        return .upgrade([:]) { inbound, outbound, context in
            try await session(inbound: inbound, outbound: outbound, since: since, logger: context.logger)
        }
    }

    static func queryValue(_ name: String, in target: String) -> String? {
        guard let query = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.first.map(String.init) == name { return parts.count == 2 ? String(parts[1]).removingPercentEncoding : "" }
        }
        return nil
    }

    /// One client, from subscription to close.
    func session(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, since: String?, logger: Logger) async throws {
        let subscription: SSESubscription
        do { subscription = try await broadcaster.subscribe() } catch {
            try await outbound.write(.text(WebSocketMessages.error("service unavailable", detail: error.description)))
            try await outbound.close(.unknown(1013), reason: "too many stream clients")
            return
        }
        let decision = StartDecision()
        if let since { _ = await decision.decide(.resume(since: since)) }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await readCommands(inbound: inbound, outbound: outbound, decision: decision)
                }
                group.addTask {
                    let since = await waitForStart(decision)
                    try await send(subscription: subscription, since: since, outbound: outbound)
                }
                // Whichever ends first (the client closed, or the stream ended) ends both.
                _ = try await group.next()
                group.cancelAll()
            }
        } catch {
            await subscription.cancel()
            throw error
        }
        await subscription.cancel()
    }

    /// Where a session starts: live, or after an offset.
    enum Start: Sendable, Equatable {
        case live
        case resume(since: String)
    }

    /// The session's start, decided once: by `?since=`, by the first client message, or
    /// (live) when `firstMessageWait` passes first.
    actor StartDecision {
        private var decided: Start?
        private var waiter: CheckedContinuation<Start, Never>?

        /// The first decision wins; returns whether this one did.
        func decide(_ start: Start) -> Bool {
            guard decided == nil else { return false }
            decided = start
            waiter?.resume(returning: start)
            waiter = nil
            return true
        }

        func wait() async -> Start {
            if let decided { return decided }
            return await withCheckedContinuation { waiter = $0 }
        }
    }

    /// The resume position, nil for live.
    private func waitForStart(_ decision: StartDecision) async -> String? {
        let wait = options.firstMessageWait
        let timer = Task {
            try? await Task.sleep(for: wait)
            _ = await decision.decide(.live)
        }
        let start = await decision.wait()
        timer.cancel()
        if case .resume(let since) = start { return since }
        return nil
    }

    /// Reads client messages until the client closes. Any message decides a start that
    /// is still open (a `resume` resumes, anything else goes live); a `resume` after the
    /// start was decided is refused.
    private func readCommands(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, decision: StartDecision) async throws {
        for try await message in inbound.messages(maxSize: options.commandBytesMax) {
            guard case .text(let text) = message else {
                _ = await decision.decide(.live)
                try await outbound.write(.text(WebSocketMessages.error("bad command", detail: "commands are JSON text messages")))
                continue
            }
            switch WebSocketCommand.parse(text) {
            case .success(.resume(let since)):
                if await !decision.decide(.resume(since: since)) {
                    try await outbound.write(.text(WebSocketMessages.error(
                        "bad command",
                        detail: "resume is accepted as the first message only (within \(options.firstMessageWait) of connecting); reconnect and send it first, or use ?since=")))
                }
            case .success(.ping):
                _ = await decision.decide(.live)
                try await outbound.write(.text(WebSocketMessages.pong(offset: feed.currentSnapshot().offset)))
            case .success(.requestMetrics):
                _ = await decision.decide(.live)
                let message = try StreamMessages.metrics(feed.currentSnapshot(), nowNs: nowNs())
                try await outbound.write(.text(WebSocketMessages.envelope(message)))
            case .failure(let error):
                _ = await decision.decide(.live)
                try await outbound.write(.text(WebSocketMessages.error("bad command", detail: error.detail)))
            }
        }
    }

    /// The prelude of the plan for `since`, then live messages through the resume gate,
    /// until the subscription ends: `lagged` closes with 1013 (try again later, resuming
    /// from the last offset received), a server shutdown with 1001 (going away).
    private func send(subscription: SSESubscription, since: String?, outbound: WebSocketOutboundWriter) async throws {
        let log = feed.logInfo()
        let plan: SSEResumePlan
        do {
            plan = try SSEResumePlan.decide(
                lastEventID: nil, since: since, earliestRetainedOffset: log.firstOffset, nextOffset: log.nextOffset,
                resumesByOffset: feed.resumesByOffset)
        } catch {
            try await outbound.write(.text(WebSocketMessages.error("bad request", detail: error.description)))
            try await outbound.close(.policyViolation, reason: "bad resume position")
            return
        }
        var gate = SSEResumeGate()
        let snapshot = feed.currentSnapshot()
        let stream = self.stream
        for chunk in try await BlockingWork.run({ try stream.prelude(for: plan, snapshot: snapshot) }) {
            if let offset = chunk.offset, gate.replayedThrough.map({ offset > $0 }) ?? true { gate.replayed(offset) }
            if let message = chunk.message { try await outbound.write(.text(WebSocketMessages.envelope(message))) }
        }
        for await chunk in subscription where gate.admitsLive(offset: chunk.offset) {
            // Keep-alive comments are SSE's; WebSocket has its ping frames.
            guard let message = chunk.message else { continue }
            try await outbound.write(.text(WebSocketMessages.envelope(message)))
            if message.event == SSEEventName.lagged {
                try await outbound.close(.unknown(1013), reason: "lagged: resume from the last offset received")
                return
            }
        }
        if !Task.isCancelled { try await outbound.close(.goingAway, reason: "server shutting down") }
    }
}

extension WebSocketStream {
    /// A plain GET of the WebSocket path: 426 with how to connect.
    func addRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.get(RouterPath(options.path)) { _, _ -> Response in
            throw APIError(
                HTTPResponse.Status(code: 426, reasonPhrase: "Upgrade Required"), error: "upgrade required",
                detail: "\(options.path) is a WebSocket: connect with Upgrade: websocket (ws://host:port\(options.path))")
        }
    }
}
