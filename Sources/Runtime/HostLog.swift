import EventStore
import Projections

/// The log as the projection host uses it: read from an offset, follow the live
/// tail, append the rule engine's alerts. `EventLog` conforms; tests may use an
/// in-memory log.
///
/// Implementations must guarantee: offsets are dense and start at 0 (retention may
/// remove a prefix: a reader then starts at the oldest offset kept); readers and
/// tails see only acknowledged events, in offset order, each exactly once; `append`
/// returns once the events are acknowledged, and they then reach every tail.
public protocol HostLog: Sendable {
    /// The offset after the last acknowledged event.
    var highWaterMark: UInt64 { get }
    /// The first offset the log still holds (retention removes a prefix).
    var oldestOffset: UInt64 { get }
    /// A reader positioned at `offset` (through the log's index, not a scan).
    func makeReader(fromOffset offset: UInt64) throws -> any HostLogReader
    /// A reader from `offset` that may pass over batches holding only events newer
    /// than `timeNs` (a log with time bounds per batch skips them undecoded). The
    /// batches it returns may still hold newer events: the caller filters.
    func makeReader(fromOffset offset: UInt64, eventTimeAtMost timeNs: Int64) throws -> any HostLogReader
    /// Catches up from `offset`, then follows appends.
    func follow(fromOffset offset: UInt64) throws -> any HostLogTail
    /// Appends events raised by the rule engine; returns once they are acknowledged.
    func appendEmitted(_ events: [Event]) async throws
}

extension HostLog {
    public var oldestOffset: UInt64 { 0 }

    public func makeReader(fromOffset offset: UInt64, eventTimeAtMost timeNs: Int64) throws -> any HostLogReader {
        try makeReader(fromOffset: offset)
    }
}

/// Batches from a position on; nil when caught up with the high-water mark.
/// Used by one task at a time.
public protocol HostLogReader: AnyObject {
    func next() throws -> LogBatch?
}

/// A live subscription. Used by one task at a time.
public protocol HostLogTail: AnyObject {
    /// The next batch, or `.lagged` when the subscriber fell too far behind (resume
    /// by following again from the next offset), or `.end` when the log closed or
    /// the task was cancelled.
    func next() async throws -> HostTailDelivery
}

public enum HostTailDelivery: Sendable {
    case batch(LogBatch)
    case lagged
    case end
}
