/// A dense latency histogram on `LatencyScale`'s buckets, for percentiles of a range.
struct LatencyHistogram: Sendable {
    private(set) var counts: [UInt64] = Array(repeating: 0, count: LatencyScale.bucketCount)
    private(set) var count: UInt64 = 0
    private(set) var sumMs: Double = 0
    private(set) var maxMs: Double = 0

    @inline(__always)
    mutating func record(ms: Double) {
        counts[LatencyScale.index(ofMicros: LatencyScale.micros(fromMs: ms))] &+= 1
        count += 1
        sumMs += ms
        if ms > maxMs { maxMs = ms }
    }

    /// The representative value of the bucket holding the `quantile` (0...1) rank; 0 when empty.
    func percentileMs(_ quantile: Double) -> Double {
        precondition((0...1).contains(quantile), "a quantile is within 0...1")
        guard count > 0 else { return 0 }
        let rank = max(1, UInt64((quantile * Double(count)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, bucket) in counts.enumerated() where bucket > 0 {
            seen += bucket
            if seen >= rank { return min(LatencyScale.representativeMs(ofIndex: index), maxMs) }
        }
        return maxMs
    }

    func summary() -> LatencySummary {
        LatencySummary(
            count: count, meanMs: Rounding.ms(count == 0 ? 0 : sumMs / Double(count)),
            p50Ms: Rounding.ms(percentileMs(0.5)), p95Ms: Rounding.ms(percentileMs(0.95)),
            p99Ms: Rounding.ms(percentileMs(0.99)), p999Ms: Rounding.ms(percentileMs(0.999)), maxMs: Rounding.ms(maxMs))
    }
}

/// Report figures are rounded so golden files read well and do not depend on the last
/// bits of a sum's order.
enum Rounding {
    static func ms(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
    static func ratio(_ value: Double) -> Double { (value * 1_000_000).rounded() / 1_000_000 }
    static func percent(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
}
