/// A dense `LatencyScale` histogram: the merge of a window's per-second buckets,
/// built when a view is read and answering percentiles and the distribution.
public struct LatencyBuckets: Sendable, Equatable {
    public private(set) var counts: [UInt64] = Array(repeating: 0, count: LatencyScale.bucketCount)
    public private(set) var totalCount: UInt64 = 0

    public init() {}

    public mutating func add(_ sparse: SparseLatencyCounts) {
        sparse.forEach { index, count in
            counts[index] &+= count
            totalCount &+= count
        }
    }

    public mutating func record(micros: UInt64) {
        counts[LatencyScale.index(ofMicros: micros)] &+= 1
        totalCount &+= 1
    }

    /// The value at `percentile` (0–100) in milliseconds, the HdrHistogram way: the
    /// bucket holding the ceil(p × n)-th smallest value, reported at its midpoint.
    /// 0 when empty.
    public func valueAtPercentileMs(_ percentile: Double) -> Double {
        guard totalCount > 0 else { return 0 }
        let p = min(max(percentile, 0), 100)
        let rank = max(1, UInt64((p / 100 * Double(totalCount)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, count) in counts.enumerated() where count > 0 {
            seen &+= count
            if seen >= rank { return LatencyScale.representativeMs(ofIndex: index) }
        }
        return LatencyScale.representativeMs(ofIndex: counts.count - 1)
    }

    /// How many values fall in `[lowMs, highMs)`, counting each scale bucket by where
    /// its range starts (bucket edges of the fixed distribution are whole
    /// milliseconds, which are exact in the scale only up to 32 µs, so a scale bucket
    /// straddling an edge goes to the side its lower bound is on).
    public func count(fromMs lowMs: Double, toMs highMs: Double) -> UInt64 {
        var total: UInt64 = 0
        for (index, count) in counts.enumerated() where count > 0 {
            let lowUs = Double(LatencyScale.range(ofIndex: index).low)
            if lowUs >= lowMs * 1000 && lowUs < highMs * 1000 { total &+= count }
        }
        return total
    }
}
