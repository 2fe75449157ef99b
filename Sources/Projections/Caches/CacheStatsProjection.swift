import EventStore

/// Cache figures per cache and in total, from `cache` reports.
public struct CacheStatsProjection: Projection, Mergeable {
    public static let windowSeconds = 60
    public static let cachesMax = 1000

    public private(set) var caches = SortedStringMap<CacheRecord>()
    public private(set) var droppedEventCount: UInt64 = 0

    public init() {}

    public mutating func apply(_ event: Event, offset: UInt64) {
        guard case .cache(let report) = event.body else { return }
        if !caches.contains(report.cache), caches.count >= Self.cachesMax {
            droppedEventCount += 1
            return
        }
        caches.update(report.cache, initial: CacheRecord.init) { $0.record(report, atNs: event.timeNs) }
    }

    public mutating func merge(_ other: CacheStatsProjection) {
        droppedEventCount += other.droppedEventCount
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
