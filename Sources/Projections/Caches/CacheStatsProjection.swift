import EventStore

/// Cache figures per cache and in total, from `cache` reports.
public struct CacheStatsProjection: Projection, Mergeable {
    public static let windowSeconds = 60
    public static let cachesMax = 1000
    /// Seconds of hits and misses (all caches) kept for the page's hit-rate chart.
    public static let historySeconds = 600

    public private(set) var caches = SortedStringMap<CacheRecord>()
    public private(set) var droppedEventCount: UInt64 = 0
    /// Hit and miss increases of every cache per second of the last `historySeconds`,
    /// so the hit-rate chart draws from the server at load and at any `?at=`. Nil in
    /// checkpoints written before it.
    public private(set) var history: SecondBucketRing?

    public init() {}

    public mutating func apply(_ event: Event, offset: UInt64) {
        guard case .cache(let report) = event.body else { return }
        if !caches.contains(report.cache), caches.count >= Self.cachesMax {
            droppedEventCount += 1
            return
        }
        var increase: (hits: UInt64, misses: UInt64)?
        caches.update(report.cache, initial: CacheRecord.init) { record in
            let before = (record.hits, record.misses, record.reportCount - record.lateReportCount)
            record.record(report, atNs: event.timeNs)
            // A late report is not placed (its counters cannot be): nothing to add.
            if record.reportCount - record.lateReportCount > before.2 { increase = (record.hits - before.0, record.misses - before.1) }
        }
        if let increase {
            if history == nil { history = SecondBucketRing(capacitySeconds: Self.historySeconds, lanes: 2) }
            history?.add(atNs: event.timeNs, [Double(increase.hits), Double(increase.misses)])
        }
    }

    public mutating func merge(_ other: CacheStatsProjection) {
        droppedEventCount += other.droppedEventCount
        if let theirs = other.history {
            if history == nil { history = theirs } else { history?.merge(theirs) }
        }
        for (name, record) in other.caches.entries {
            if caches.modify(name, { $0.merge(record) }) { continue }
            if caches.count < Self.cachesMax {
                caches[name] = record
            } else {
                droppedEventCount += record.reportCount
            }
        }
    }

    /// The newest second any cache reported in: the end of the total last-minute window.
    public var newestSecond: Int64? {
        caches.values.compactMap(\.recent.newestSecond).max()
    }

    /// Hits over hits and misses, over the whole run, for all caches; nil without traffic.
    public var totalHitRate: Double? {
        let hits = caches.values.reduce(0.0) { $0 + Double($1.hits) }
        let misses = caches.values.reduce(0.0) { $0 + Double($1.misses) }
        return Self.rate(hits, hits + misses)
    }

    /// The same over the last minute of cache reports; nil without traffic in it.
    public var totalHitRateLastMinute: Double? {
        let end = newestSecond
        let hits = caches.values.reduce(0.0) { $0 + $1.recentHits(endingAt: end) }
        let misses = caches.values.reduce(0.0) { $0 + $1.recentMisses(endingAt: end) }
        return Self.rate(hits, hits + misses)
    }

    static func rate(_ part: Double, _ whole: Double) -> Double? {
        whole > 0 ? part / whole : nil
    }
}
