#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// When the writer calls fsync.
public enum FsyncPolicy: Sendable, Equatable {
    /// Before acknowledging every batch: nothing acknowledged is ever lost.
    case always
    /// At most this often (and at roll and close); acknowledged data can be lost to a
    /// machine crash within the interval, never to a process crash.
    case interval(milliseconds: Int)
    /// Only at roll and close.
    case never

    public static let intervalDefault = FsyncPolicy.interval(milliseconds: 1000)
}

/// Settings of an open log, each with a unit and a limit. Checked together at open.
public struct LogOptions: Sendable {
    public var fsync: FsyncPolicy = .intervalDefault
    /// A segment rolls once it holds at least this many bytes.
    public var segmentBytesMax: UInt64 = 64 * 1024 * 1024
    /// A non-empty segment rolls once it is this old (wall clock).
    public var segmentAgeMaxNs: Int64 = 3600 * 1_000_000_000
    /// Events per batch frame (the codec's and the frame's limits cap it).
    public var eventsPerBatchMax: Int = LogLimits.eventsPerBatchMax
    /// Events one group commit takes from the queue before writing.
    public var groupCommitEventsMax: Int = 256 * 1024
    /// Distance between sparse index entries.
    public var sparseIndexIntervalBytes: UInt64 = SegmentIndex.intervalBytesDefault
    /// Retention: whole sealed segments whose newest event is older than this, measured
    /// back from the log's newest event time (as Prometheus's TSDB measures it, so an
    /// archived recording keeps its data however old it is), are deleted.
    public var retentionAgeNs: Int64? = 7 * 24 * 3600 * 1_000_000_000
    /// Retention measures from the log's newest event time, but never from later than
    /// the clock plus this: one event stamped far in the future must not delete the rest.
    public var retentionFutureToleranceNs: Int64 = EventTimeBounds.maxFutureNsDefault
    /// Retention: oldest sealed segments are deleted while the log is larger than this.
    public var retentionBytesMax: UInt64?
    /// Re-pack each segment into large batches when it seals.
    public var compactOnSeal = true
    /// Batches buffered per live-tail subscriber before it is told it lagged.
    public var tailBufferBatchesMax = 1024
    /// Wall clock in nanoseconds since the epoch; injected so tests control roll by age.
    public var clockNs: @Sendable () -> Int64 = { WallClock.nowNs() }
    /// Bytes of decoded metric samples kept for queries (`DecodedSampleCache`); 0 keeps none.
    public var decodedSampleCacheBytes = DecodedSampleCache.capacityBytesDefault
    /// Told of every batch written, fsync and compaction (the server's `/metrics`).
    public var observer: (any LogObserver)?

    public init() {}

    /// Why these options cannot work together, or nil.
    func problem() -> String? {
        if segmentBytesMax < UInt64(SegmentHeader.sizeBytes) * 2 { return "segmentBytesMax too small" }
        if segmentAgeMaxNs <= 0 { return "segmentAgeMaxNs must be positive" }
        if eventsPerBatchMax < 1 || eventsPerBatchMax > min(LogLimits.eventsPerBatchMax, BatchCodec.eventsPerBatchMax) {
            return "eventsPerBatchMax out of 1...\(LogLimits.eventsPerBatchMax)"
        }
        if groupCommitEventsMax < 1 { return "groupCommitEventsMax must be positive" }
        if sparseIndexIntervalBytes < 1 { return "sparseIndexIntervalBytes must be positive" }
        if tailBufferBatchesMax < 1 { return "tailBufferBatchesMax must be positive" }
        if retentionFutureToleranceNs < 0 { return "retentionFutureToleranceNs must not be negative" }
        if case .interval(let ms) = fsync, ms <= 0 { return "fsync interval must be positive" }
        return nil
    }
}

enum WallClock {
    static func nowNs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
