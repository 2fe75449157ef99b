import EventStore
/// How long each tier of every series keeps its buckets.
///
/// Memory per series, full: `(secondBuckets + minuteBuckets + hourBuckets) × 24 B`
/// (Rollup stride) plus about 200 B of key, index and tier bookkeeping; a tier none
/// of whose buckets got a second sample (the seconds of a series sampled once a
/// second or less often) holds 8 B a bucket, or 16 B a sample when at most half of
/// its buckets hold one, instead (`RollupRing`). Tiers grow only
/// over the span a series has actually covered, so a series seen for one minute
/// holds 60 + 1 + 1 buckets (≈ 0.7–1.7 KiB); one seen for a day holds the full second
/// and minute tiers (≈ 37–41 KiB with the defaults).
public struct SeriesRetention: Codable, Sendable, Equatable {
    public struct Tier: Codable, Sendable, Equatable {
        public let widthNs: Int64
        public let capacity: Int
        public var spanNs: Int64 { widthNs * Int64(capacity) }
    }

    public let second: Tier
    public let minute: Tier
    public let hour: Tier

    /// 1 s buckets for 5 min (not 10: the 1 s tier is the costliest per hour covered,
    /// and ranges past 5 min read well at 1 min), 1 min for 24 h, 1 h for 7 days.
    public static let standard = SeriesRetention(secondBuckets: 300, minuteBuckets: 24 * 60, hourBuckets: 7 * 24)

    /// What the live state keeps per series: a minute of seconds (the connections
    /// view's window), half an hour of minutes and two hours, so memory per series
    /// stays flat however long a series lives, under 2 KiB at one sample a second.
    /// Charts and history of a series are read from the log (`HistoryController`):
    /// its last 5 min folded from its samples, the minutes before from sealed
    /// segments' rollup files (`SegmentRollups`) and the open segment's samples of
    /// that one series, as a PromQL range query reads them
    /// (`SeriesProjection.history(of:…)` joins the two).
    public static let live = SeriesRetention(secondBuckets: 60, minuteBuckets: 32, hourBuckets: 2)

    public init(secondBuckets: Int, minuteBuckets: Int, hourBuckets: Int) {
        precondition(secondBuckets > 0 && minuteBuckets > 0 && hourBuckets > 0, "every tier holds at least one bucket")
        precondition(max(secondBuckets, minuteBuckets, hourBuckets) <= Self.bucketsPerRingMax, "a tier holds at most bucketsPerRingMax buckets")
        second = Tier(widthNs: TimeUnits.nanosPerSecond, capacity: secondBuckets)
        minute = Tier(widthNs: TimeUnits.nanosPerMinute, capacity: minuteBuckets)
        hour = Tier(widthNs: TimeUnits.nanosPerHour, capacity: hourBuckets)
    }

    /// No tier of any retention holds more buckets than this: a decoded checkpoint
    /// claiming more is damaged, not a ring to allocate.
    public static let bucketsPerRingMax = 1 << 20

    /// Finest first.
    public var tiers: [Tier] { [second, minute, hour] }

    public var bytesPerSeriesFull: Int {
        (second.capacity + minute.capacity + hour.capacity) * MemoryLayout<Rollup>.stride
    }
}
