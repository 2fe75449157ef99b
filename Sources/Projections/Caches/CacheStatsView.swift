import EventStore

/// `GET /api/v1/performance/cache/stats`. Rates are 0–1; nil (absent) without traffic.
public struct CacheStatsView: Encodable, Sendable, Equatable {
    public struct Cache: Encodable, Sendable, Equatable {
        public var name: String
        public var hitRate: Double?
        public var missRate: Double?
        public var hitRateLast60s: Double?
        public var missRateLast60s: Double?
        public var hits: UInt64
        public var misses: UInt64
        public var evictions: UInt64
        public var resets: UInt64
        public var compressionRatio: Double
        /// Bytes.
        public var size: UInt64
        public var entries: UInt64
        /// Milliseconds.
        public var averageTTL: Double
        public var lastReport: String?
        public var lastReportNs: Int64?
    }

    public var hitRate: Double?
    public var missRate: Double?
    public var hitRateLast60s: Double?
    public var missRateLast60s: Double?
    public var hits: UInt64
    public var misses: UInt64
    public var evictions: UInt64
    /// Size-weighted over caches (plain mean when all are empty).
    public var compressionRatio: Double?
    /// Bytes over all caches.
    public var totalSize: UInt64
    public var entries: UInt64
    /// Milliseconds, weighted by entries (plain mean when all are empty).
    public var averageTTL: Double?
    /// Sorted by name.
    public var caches: [Cache]
    /// Each second with cache traffic in the last ten minutes of event time, oldest first.
    public var history: [Second]

    public struct Second: Encodable, Sendable, Equatable {
        public var time: String
        public var timeNs: Int64
        /// Hits over hits and misses reported in that second, all caches.
        public var hitRate: Double
        public var hits: UInt64
        public var misses: UInt64
    }
}

extension CacheStatsProjection {
    public func view() -> CacheStatsView {
        let end = newestSecond
        var perCache: [CacheStatsView.Cache] = []
        var hits: UInt64 = 0, misses: UInt64 = 0, evictions: UInt64 = 0, size: UInt64 = 0, entries: UInt64 = 0
        var ratioBySize = 0.0, ratioSum = 0.0, ttlByEntries = 0.0, ttlSum = 0.0
        for (name, record) in caches.entries {
            let recentHits = record.recentHits(endingAt: end)
            let recentMisses = record.recentMisses(endingAt: end)
            let hitRate = Self.rate(Double(record.hits), Double(record.hits) + Double(record.misses))
            let recentRate = Self.rate(recentHits, recentHits + recentMisses)
            perCache.append(CacheStatsView.Cache(
                name: name, hitRate: hitRate, missRate: hitRate.map { 1 - $0 },
                hitRateLast60s: recentRate, missRateLast60s: recentRate.map { 1 - $0 },
                hits: record.hits, misses: record.misses, evictions: record.evictions, resets: record.resetCount,
                compressionRatio: record.compressionRatio, size: record.sizeBytes, entries: record.entries,
                averageTTL: record.avgTTLms, lastReport: ViewTime.text(record.lastReportNs),
                lastReportNs: record.lastReportNs))
            hits += record.hits
            misses += record.misses
            evictions += record.evictions
            size += record.sizeBytes
            entries += record.entries
            ratioBySize += record.compressionRatio * Double(record.sizeBytes)
            ratioSum += record.compressionRatio
            ttlByEntries += record.avgTTLms * Double(record.entries)
            ttlSum += record.avgTTLms
        }
        let count = Double(caches.count)
        let hitRate = totalHitRate
        let recentRate = totalHitRateLastMinute
        return CacheStatsView(
            hitRate: hitRate, missRate: hitRate.map { 1 - $0 },
            hitRateLast60s: recentRate, missRateLast60s: recentRate.map { 1 - $0 },
            hits: hits, misses: misses, evictions: evictions,
            compressionRatio: caches.isEmpty ? nil : (size > 0 ? ratioBySize / Double(size) : ratioSum / count),
            totalSize: size, entries: entries,
            averageTTL: caches.isEmpty ? nil : (entries > 0 ? ttlByEntries / Double(entries) : ttlSum / count),
            caches: perCache,
            history: (history?.seconds() ?? []).compactMap { second, sums in
                let (hits, misses) = (sums[sums.startIndex], sums[sums.startIndex + 1])
                guard let rate = Self.rate(hits, hits + misses) else { return nil }
                let timeNs = second * 1_000_000_000
                return CacheStatsView.Second(
                    time: EventTime.formatRFC3339(timeNs), timeNs: timeNs, hitRate: rate, hits: UInt64(hits), misses: UInt64(misses))
            })
    }
}
