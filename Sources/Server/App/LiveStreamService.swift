import EventStore
import Logging
import Projections
import ServiceLifecycle
import Runtime

/// Follows the engine's updates and publishes the live stream's messages: on each
/// folded batch the views whose event types changed, and every `summaryInterval` a
/// `metrics` summary. Stops at graceful shutdown.
public struct LiveStreamService<C: Clock>: Service where C.Duration == Duration {
    let feed: any UpdateFeed
    let broadcaster: SSEBroadcaster
    let summaryInterval: Duration
    let clock: C
    let logger: Logger
    let nowNs: @Sendable () -> Int64

    public init(
        feed: any UpdateFeed, broadcaster: SSEBroadcaster, summaryInterval: Duration = .seconds(1), clock: C,
        logger: Logger = Logger(label: "tacho.stream"), nowNs: @escaping @Sendable () -> Int64 = { EventTime.nowNs() }
    ) {
        precondition(summaryInterval > .zero, "the summary interval must be positive")
        self.feed = feed
        self.broadcaster = broadcaster
        self.summaryInterval = summaryInterval
        self.clock = clock
        self.logger = logger
        self.nowNs = nowNs
    }

    public func run() async throws {
        // Subscribed before the first snapshot is read, so no batch folded after it is missed.
        let updates = feed.updates()
        let publisher = StreamPublisher(broadcaster: broadcaster, initial: feed.currentSnapshot(), logger: logger, nowNs: nowNs)
        try? await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    if feed.resumesByOffset {
                        await Self.follow(updates, feed: feed, publisher: publisher)
                    } else {
                        await Self.followMerged(updates, feed: feed, publisher: publisher)
                    }
                }
                group.addTask {
                    var deadline = clock.now
                    while !Task.isCancelled {
                        deadline = deadline.advanced(by: summaryInterval)
                        if deadline < clock.now { deadline = clock.now }
                        try await clock.sleep(until: deadline, tolerance: nil)
                        await publisher.tick()
                    }
                }
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }

    /// Drains updates and publishes one set of messages per snapshot. The host
    /// publishes a snapshot before announcing its update, so after reading snapshot
    /// `s` the updates up to `s` are already on their way: they are taken (their
    /// event types say which views changed) before `s` is published.
    static func follow(_ updates: AsyncStream<EngineUpdate>, feed: any UpdateFeed, publisher: StreamPublisher) async {
        var iterator = updates.makeAsyncIterator()
        var pending = Set<EventType>()
        while let update = await iterator.next() {
            pending.formUnion(update.eventTypes)
            var through = update.offset
            var snapshot = feed.currentSnapshot()
            while true {
                let offset = snapshot.offset ?? 0
                if offset == through { break }
                if offset < through {
                    // An update ahead of the snapshot read: read again.
                    snapshot = feed.currentSnapshot()
                    if (snapshot.offset ?? 0) < through { await Task.yield() }
                    continue
                }
                guard let next = await iterator.next() else { break }
                pending.formUnion(next.eventTypes)
                through = next.offset
            }
            if let published = await publisher.publishedOffset, through <= published {
                pending.removeAll()
                continue
            }
            await publisher.publish(snapshot, types: pending)
            pending.removeAll()
        }
    }

    /// For merged views (`resumesByOffset` false): each update is a signal that some
    /// log folded more. The views are read after it, so they cover it, and the
    /// messages sent are those of the views that differ from the last ones published.
    static func followMerged(_ updates: AsyncStream<EngineUpdate>, feed: any UpdateFeed, publisher: StreamPublisher) async {
        for await _ in updates {
            let snapshot = feed.currentSnapshot()
            let previous = await publisher.published
            await publisher.publish(snapshot, types: StreamMessages.changedTypes(from: previous.views, to: snapshot.views))
        }
    }
}
