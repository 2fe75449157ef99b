import Foundation
import Projections

/// How the host checkpoints, publishes and answers time-travel queries. Every
/// buffer has a stated maximum; `problem()` checks them together at start.
public struct HostOptions: Sendable {
    /// The rules the engine runs. A checkpoint holding other rules has them
    /// replaced after recovery (alerts of removed or changed rules are resolved).
    public var rules: RuleSet = .defaults
    /// A checkpoint is written once this many events were folded since the last one...
    public var checkpointEveryEvents: UInt64 = 1_000_000
    /// ...or once this much time (the injected clock's) passed with events folded.
    public var checkpointInterval: Duration = .seconds(60)
    /// Checkpoints kept after each save.
    public var checkpointsKept: Int = 3
    /// Updates buffered per `updates()` subscriber; older ones are dropped.
    public var updatesBufferedMax: Int = 64
    /// Concurrent `updates()` subscribers; more get a stream that ends at once.
    public var updateSubscribersMax: Int = 1024
    /// Whether the alerts the rules raise are appended to the log. A follower's are not:
    /// its log is the leader's, whose rules raised the same alerts from the same events.
    public var appendsRaisedAlerts = true
    /// Alert events raised but not yet appended (the log refusing appends); the
    /// oldest are dropped and counted beyond it.
    public var outboxEventsMax: Int = 65_536
    /// Time travel: a replay keeps an in-memory snapshot every this many events...
    public var timeTravelCacheEveryEvents: UInt64 = 10_000
    /// ...or every this much event time.
    public var timeTravelCacheEveryEventTimeNs: Int64 = 60 * 1_000_000_000
    /// Time travel: snapshots kept, least recently used evicted.
    public var timeTravelCacheEntriesMax: Int = 32
    /// Engine states kept along the log for time travel (`SnapshotSeries`, in
    /// `DIR/snapshots`); nil keeps none.
    public var snapshots: SnapshotSeries.Options? = SnapshotSeries.Options()
    /// Wall-clock nanoseconds since the epoch, stamped on each checkpoint written
    /// (for "checkpoint age"); injected so tests control it.
    public var wallClockNs: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1e9) }

    public init() {}

    /// Why these options cannot work together, or nil.
    public func problem() -> String? {
        if checkpointEveryEvents < 1 { return "checkpointEveryEvents must be positive" }
        if checkpointInterval <= .zero { return "checkpointInterval must be positive" }
        if checkpointsKept < 1 { return "checkpointsKept must be at least 1" }
        if updatesBufferedMax < 1 { return "updatesBufferedMax must be positive" }
        if updateSubscribersMax < 1 { return "updateSubscribersMax must be positive" }
        if outboxEventsMax < 1 { return "outboxEventsMax must be positive" }
        if timeTravelCacheEveryEvents < 1 { return "timeTravelCacheEveryEvents must be positive" }
        if timeTravelCacheEveryEventTimeNs < 1 { return "timeTravelCacheEveryEventTimeNs must be positive" }
        if timeTravelCacheEntriesMax < 1 { return "timeTravelCacheEntriesMax must be positive" }
        if let problem = snapshots?.problem() { return problem }
        return nil
    }
}
