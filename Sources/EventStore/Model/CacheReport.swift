/// A cache's report. `hits`, `misses` and `evictions` are cumulative counters.
public struct CacheReport: Sendable, Equatable, Hashable {
    public var cache: String
    public var hits: UInt64
    public var misses: UInt64
    public var evictions: UInt64
    public var sizeBytes: UInt64
    public var entries: UInt64
    public var compressionRatio: Double
    public var avgTTLms: Double

    public init(
        cache: String, hits: UInt64, misses: UInt64, evictions: UInt64,
        sizeBytes: UInt64, entries: UInt64, compressionRatio: Double, avgTTLms: Double
    ) {
        self.cache = cache
        self.hits = hits
        self.misses = misses
        self.evictions = evictions
        self.sizeBytes = sizeBytes
        self.entries = entries
        self.compressionRatio = compressionRatio
        self.avgTTLms = avgTTLms
    }
}
