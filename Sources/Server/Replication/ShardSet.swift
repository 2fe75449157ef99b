import EventStore
import Projections
import Runtime

/// The views of several streams combined, for a follower of sharded leaders
/// (`tacho serve --follow URLS --replicate-stream EU,US`). Each stream is its own log
/// and engine (`DATA/<stream>/`, the leader's offsets); every read folds nothing
/// itself: it takes each engine's snapshot and merges them (`ProjectionSet.merge`:
/// counts add, HDR histograms merge, breakers keep the later transition, alerts and
/// topology union). Time travel merges each stream's views as of the same event time,
/// which is what makes the shards comparable: offsets are per stream, time is not.
///
/// A merged snapshot's `nextOffset` is the sum of the streams' next offsets: it grows
/// with every batch any stream folds, so it orders the live stream's messages, but it
/// is not an offset of any log. A client cannot resume from it (`resumesByOffset` is
/// false): a reconnecting stream client gets every view whole.
public final class ShardSet: UpdateFeed, MetricScanning {
    public struct Shard: Sendable {
        public let stream: String
        public let engine: Engine
        public init(stream: String, engine: Engine) {
            self.stream = stream
            self.engine = engine
        }
    }

    public let shards: [Shard]
    public let dataDirectory: String

    public init(dataDirectory: String, shards: [Shard]) {
        precondition(!shards.isEmpty, "a shard set needs at least one stream")
        precondition(Set(shards.map(\.stream)).count == shards.count, "each stream once")
        self.dataDirectory = dataDirectory
        self.shards = shards
    }

    /// Where the log of `stream` lives under a sharded follower's data directory.
    public static func directory(of stream: String, in dataDirectory: String) -> String {
        dataDirectory + "/" + stream
    }

    public var resumesByOffset: Bool { false }

    // MARK: ViewReading

    public func currentSnapshot() -> EngineSnapshot<ProjectionSet> {
        Self.merged(shards.map { $0.engine.currentSnapshot() })
    }

    public func snapshot(atNs timeNs: Int64) async throws -> EngineSnapshot<ProjectionSet> {
        var snapshots: [EngineSnapshot<ProjectionSet>] = []
        for shard in shards { snapshots.append(try await shard.engine.snapshot(atNs: timeNs)) }
        return Self.merged(snapshots)
    }

    /// The merge of per-stream snapshots. The checkpoint named is the oldest of the
    /// streams' last ones (what a restart would replay from at most).
    static func merged(_ snapshots: [EngineSnapshot<ProjectionSet>]) -> EngineSnapshot<ProjectionSet> {
        var views = ProjectionSet()
        var first = true
        for snapshot in snapshots {
            if first { views = snapshot.views } else { views.merge(snapshot.views) }
            first = false
        }
        let checkpoints = snapshots.map(\.lastCheckpoint)
        let oldestCheckpoint = checkpoints.contains { $0 == nil } ? nil : checkpoints.compactMap { $0 }.min { $0.writtenAtNs < $1.writtenAtNs }
        return EngineSnapshot(
            views: views, nextOffset: snapshots.reduce(0) { $0 + $1.nextOffset },
            eventTimeNs: snapshots.compactMap(\.eventTimeNs).max(), lastCheckpoint: oldestCheckpoint)
    }

    public func logInfo() -> LogInfo {
        LogInfo(dataDirectory: dataDirectory, shards: shards.map { ($0.stream, $0.engine.logInfo()) })
    }

    /// Events of every stream within the range, ordered by event time (then stream
    /// order); each keeps its offset in its own stream.
    public func events(fromNs: Int64, toNs: Int64, limit: Int, include: @Sendable (Event) -> Bool) throws -> [LoggedEvent] {
        var found: [(shard: Int, logged: LoggedEvent)] = []
        for (index, shard) in shards.enumerated() {
            found += try shard.engine.events(fromNs: fromNs, toNs: toNs, limit: limit, include: include).map { (index, $0) }
        }
        found.sort { ($0.logged.event.timeNs, $0.shard, $0.logged.offset) < ($1.logged.event.timeNs, $1.shard, $1.logged.offset) }
        return found.prefix(limit).map(\.logged)
    }

    // MARK: UpdateFeed

    /// A signal each time any stream folds more. Signals coalesce (one buffered), so a
    /// slow subscriber never holds a backlog: it reads `currentSnapshot()` after each,
    /// which covers every update before it (each host publishes its snapshot before
    /// announcing the update), and compares views to find what changed. The offsets
    /// and event types are one stream's, not the merged views'.
    public func updates() -> AsyncStream<EngineUpdate> {
        let (stream, continuation) = AsyncStream<EngineUpdate>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let sources = shards.map { $0.engine.updates() }
        let forwarding = Task {
            await withTaskGroup(of: Void.self) { group in
                for source in sources {
                    group.addTask {
                        for await update in source { continuation.yield(update) }
                    }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in forwarding.cancel() }
        return stream
    }

    /// Not offered: an offset names a position in one stream only. Callers check
    /// `resumesByOffset` first; this scans nothing.
    public func scanLog(fromOffset offset: UInt64, _ visit: (LogBatch) throws -> Bool) throws {
        assertionFailure("scanLog called on a shard set, which does not resume by offset")
    }

    // MARK: MetricScanning

    /// The samples of every stream: series of different shards are different sources,
    /// so together they are the union.
    public func scanMetrics(
        fromNs: Int64, toNs: Int64, eventsScannedMax: Int, eventSeries: Bool, name: String?, labelsEqual: [Labels.Pair],
        labelValues: [LabelValueFilter], wants: (SeriesKey) throws -> Bool, _ visit: SeriesSamplesVisitor
    ) throws {
        for shard in shards {
            try shard.engine.scanMetrics(
                fromNs: fromNs, toNs: toNs, eventsScannedMax: eventsScannedMax, eventSeries: eventSeries, name: name, labelsEqual: labelsEqual,
                labelValues: labelValues, wants: wants, visit)
        }
    }

    /// A series is one source's, so one shard's: the first shard holding it answers.
    public func minuteRollups(of key: SeriesKey, fromNs: Int64, toNs: Int64) throws -> SeriesMinutes? {
        for shard in shards {
            if let minutes = try shard.engine.minuteRollups(of: key, fromNs: fromNs, toNs: toNs) { return minutes }
        }
        return nil
    }
}
