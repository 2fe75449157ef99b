import EventStore
import Hummingbird
import Projections
import Runtime

/// `GET /api/v1/stream` (also `/api/v1/performance/stream`): the live stream.
///
/// A client that sends `Last-Event-ID` (or `?since=`) first gets what it missed:
/// the log after its offset is read for the event types and alerts it touched, and
/// those views and alerts are sent as of the current snapshot, all with that
/// snapshot's offset as `id:`; live messages at or below it are then dropped (the
/// resume gate), so there is no gap and no duplicate. A client further behind than
/// `replayEventsMax`, behind retention, or ahead of the log gets one `reset`
/// message with every view instead.
public struct StreamController<Context: RequestContext>: Sendable {
    let feed: any UpdateFeed
    let broadcaster: SSEBroadcaster
    let retryMs: Int
    let replayEventsMax: UInt64

    public static var replayEventsMaxDefault: UInt64 { 1_000_000 }

    public init(feed: any UpdateFeed, broadcaster: SSEBroadcaster, retryMs: Int = 3000, replayEventsMax: UInt64 = Self.replayEventsMaxDefault) {
        precondition(retryMs >= 0 && replayEventsMax > 0, "retry and replay limits must be positive")
        self.feed = feed
        self.broadcaster = broadcaster
        self.retryMs = retryMs
        self.replayEventsMax = replayEventsMax
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/stream", use: stream)
        router.get("/api/v1/performance/stream", use: stream)
    }

    @Sendable func stream(_ request: Request, context: Context) async throws -> Response {
        let log = feed.logInfo()
        let plan: SSEResumePlan
        do {
            plan = try SSEResumePlan.decide(
                lastEventID: request.headers[HTTPFields.Element.Name("Last-Event-ID")!], since: ViewQuery(request).text("since"),
                earliestRetainedOffset: log.firstOffset, nextOffset: log.nextOffset, resumesByOffset: feed.resumesByOffset)
        } catch {
            throw APIError.badRequest("\(error)")
        }
        let subscription: SSESubscription
        do { subscription = try await broadcaster.subscribe() } catch {
            throw APIError(.serviceUnavailable, error: "service unavailable", detail: error.description)
        }
        do {
            let snapshot = feed.currentSnapshot()
            // A resume reads the log after the client's offset: off the cooperative pool.
            let controller = self
            let prelude: [SSEChunk] = try await BlockingWork.run { try controller.prelude(for: plan, snapshot: snapshot) }
            return SSEResponse.make(retryMs: retryMs, prelude: SSEChunkList(chunks: prelude), subscription: subscription)
        } catch {
            await subscription.cancel()
            throw error
        }
    }

    /// The chunks sent before the live ones; `snapshot` is read after subscribing.
    func prelude(for plan: SSEResumePlan, snapshot: EngineSnapshot<ProjectionSet>) throws -> [SSEChunk] {
        switch plan {
        case .live:
            return []
        case .reset(let reason):
            return [Self.chunk(try StreamMessages.reset(snapshot, reason: Self.describe(reason)))]
        case .replay(let fromOffset):
            let lastSeen = fromOffset - 1
            // An empty chunk at the client's offset arms the resume gate, so live
            // messages it already has are not sent again.
            var chunks = [SSEChunk(bytes: [], offset: lastSeen)]
            guard snapshot.nextOffset > fromOffset else { return chunks }
            guard snapshot.nextOffset - fromOffset <= replayEventsMax else {
                let reason = "behind by \(snapshot.nextOffset - fromOffset) events, over the replay limit of \(replayEventsMax)"
                return [Self.chunk(try StreamMessages.reset(snapshot, reason: reason))]
            }
            let missed = try touched(fromOffset: fromOffset, toOffset: snapshot.nextOffset)
            let alerts = snapshot.views.alerts.view(limit: Int.max).alerts.reversed().filter { missed.alertIDs.contains($0.id) }
            for alert in alerts { chunks.append(Self.chunk(try StreamMessages.alert(alert, offset: snapshot.offset))) }
            for name in StreamMessages.names(for: missed.types) { chunks.append(Self.chunk(try StreamMessages.view(name, snapshot))) }
            return chunks
        }
    }

    struct Touched {
        var types = Set<EventType>()
        var alertIDs = Set<String>()
    }

    /// The event types and alert ids of offsets `fromOffset..<toOffset`.
    func touched(fromOffset: UInt64, toOffset: UInt64) throws -> Touched {
        var touched = Touched()
        try feed.scanLog(fromOffset: fromOffset) { batch in
            for (index, event) in batch.events.enumerated() {
                let offset = batch.baseOffset + UInt64(index)
                guard offset >= fromOffset else { continue }
                guard offset < toOffset else { return false }
                touched.types.insert(event.type)
                switch event.body {
                case .alert(let raised): touched.alertIDs.insert(raised.id)
                case .alertAck(let ack): touched.alertIDs.insert(ack.id)
                case .alertResolve(let resolve): touched.alertIDs.insert(resolve.id)
                default: break
                }
            }
            return batch.endOffset < toOffset
        }
        return touched
    }

    static func chunk(_ message: SSEMessage) -> SSEChunk {
        SSEChunk(message)
    }

    static func describe(_ reason: SSEResumePlan.ResetReason) -> String {
        switch reason {
        case .olderThanRetention(let requested, let earliest):
            "offset \(requested) was removed by retention; the log starts at \(earliest)"
        case .aheadOfLog(let requested, let next):
            "offset \(requested) is not in this log, which ends before \(next)"
        case .mergedLogs:
            "this server merges the views of several streams, where an offset names no position: every view is sent whole"
        }
    }
}

/// A prelude already computed.
struct SSEChunkList: AsyncSequence, Sendable {
    typealias Element = SSEChunk
    let chunks: [SSEChunk]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<SSEChunk>
        mutating func next() async -> SSEChunk? { remaining.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: chunks[...]) }
}
