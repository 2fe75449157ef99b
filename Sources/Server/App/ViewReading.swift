import EventStore
import Projections
import Runtime

/// What the read routes need from the engine: the views now or at a moment, the
/// log's shape, and events of the log by time. Implementations must answer from
/// acknowledged data only and never block on the live fold.
public protocol ViewReading: Sendable {
    /// The views as of the newest batch folded.
    func currentSnapshot() -> EngineSnapshot<ProjectionSet>
    /// The views as of `timeNs`: the fold of the longest log prefix whose events are
    /// all at or before it. May replay part of the log.
    func snapshot(atNs timeNs: Int64) async throws -> EngineSnapshot<ProjectionSet>
    /// Offsets, segments, sizes and the event-time range of the log.
    func logInfo() -> LogInfo
    /// Events whose time is within `fromNs...toNs`, in log order, at most `limit`
    /// of them, keeping only those `include` accepts.
    func events(fromNs: Int64, toNs: Int64, limit: Int, include: @Sendable (Event) -> Bool) throws -> [LoggedEvent]
}

/// Where the action routes append the events they stand for.
public protocol EventAppending: Sendable {
    /// Appends all or none; returns the offsets assigned once they are acknowledged.
    func append(_ events: [Event]) async throws -> ClosedRange<UInt64>
}

/// What the live stream needs: a signal per batch folded, and the log to read what
/// a reconnecting client missed.
public protocol UpdateFeed: ViewReading {
    /// One update per batch folded live; ends when the engine stops.
    func updates() -> AsyncStream<EngineUpdate>
    /// The log's batches from `offset` on (the oldest retained, if older), in order,
    /// until `visit` returns false or the log's end.
    func scanLog(fromOffset offset: UInt64, _ visit: (LogBatch) throws -> Bool) throws
    /// True when a snapshot's offset is a position in one log, so a client can resume
    /// from it (`Last-Event-ID`). False for merged views of several logs (`ShardSet`):
    /// their updates are signals, and what changed is found by comparing views.
    var resumesByOffset: Bool { get }
}

extension UpdateFeed {
    public var resumesByOffset: Bool { true }
}
