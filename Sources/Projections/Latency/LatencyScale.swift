/// The bucket layout of the per-second latency histograms: log-linear over
/// microseconds, exact below 32 µs and 16 sub-buckets per power of two above, so a
/// bucket is at most 1/16 of its lower bound wide and reporting its midpoint is off
/// by at most 1/32 (3.125 %) of the true value.
public enum LatencyScale {
    /// Values below this are their own bucket.
    public static let exactBelowMicros: UInt64 = 32
    public static let subBucketsPerOctave = 16
    /// Durations above this (about 12.7 days) are recorded as this.
    public static let maxMicros: UInt64 = 1 << 40
    public static let bucketCount = index(ofMicros: maxMicros) + 1
    /// The bound on the relative error of a reported percentile, for tests and docs.
    public static let relativeErrorMax = 1.0 / Double(2 * subBucketsPerOctave)

    /// Milliseconds (≥ 0, finite) to whole microseconds, clamped to `maxMicros`.
    @inline(__always)
    public static func micros(fromMs ms: Double) -> UInt64 {
        guard ms > 0 else { return 0 }
        let us = (ms * 1000).rounded()
        return us >= Double(maxMicros) ? maxMicros : UInt64(us)
    }

    @inline(__always)
    public static func index(ofMicros value: UInt64) -> Int {
        if value < exactBelowMicros { return Int(value) }
        let v = min(value, maxMicros)
        let exponent = 63 - v.leadingZeroBitCount // ≥ 5
        let sub = Int((v >> UInt64(exponent - 4)) & 15)
        return Int(exactBelowMicros) + (exponent - 5) * subBucketsPerOctave + sub
    }

    /// The lowest value of bucket `index` and the first value of the next one.
    public static func range(ofIndex index: Int) -> (low: UInt64, high: UInt64) {
        if index < Int(exactBelowMicros) { return (UInt64(index), UInt64(index) + 1) }
        let rest = index - Int(exactBelowMicros)
        let exponent = rest / subBucketsPerOctave + 5
        let sub = UInt64(rest % subBucketsPerOctave)
        let width = UInt64(1) << UInt64(exponent - 4)
        let low = (UInt64(1) << UInt64(exponent)) + sub * width
        return (low, low + width)
    }

    /// The value reported for bucket `index`, in milliseconds: exact below 32 µs, the
    /// bucket's midpoint above.
    public static func representativeMs(ofIndex index: Int) -> Double {
        let r = range(ofIndex: index)
        if index < Int(exactBelowMicros) { return Double(r.low) / 1000 }
        return (Double(r.low) + Double(r.high)) / 2 / 1000
    }
}
