import Histogram

/// The latencies of one group of operations (all, one name, one protocol): an HDR
/// histogram since start and per-second sparse buckets for the last 60 s.
public struct LatencyStats: Codable, Sendable, Equatable, Mergeable {
    /// The window's complete seconds plus the one filling.
    public static let windowSlots = 61

    public private(set) var window = TimeRing<LatencySecond>(slotWidthNs: TimeUnits.nanosPerSecond, capacity: windowSlots)
    /// Microseconds, two significant digits (1 % resolution); resized as larger values
    /// arrive, so its footprint follows the largest latency seen, not a fixed maximum.
    public private(set) var sinceStart = Histogram<UInt64>(numberOfSignificantValueDigits: .two)
    public private(set) var totals = OpCounts()
    /// Operations older than the window: in `sinceStart` and `totals` only.
    public private(set) var lateEvents: UInt64 = 0

    public init() {}

    @inline(__always)
    public mutating func record(timeNs: Int64, micros: UInt64, ok: Bool) {
        totals.record(ok: ok)
        sinceStart.record(micros)
        if window.update(atTimeNs: timeNs, { $0.record(micros: micros, ok: ok) }) == .late { lateEvents &+= 1 }
    }

    public mutating func merge(_ other: LatencyStats) {
        window.merge(other.window)
        sinceStart.add(other.sinceStart)
        totals.merge(other.totals)
        lateEvents &+= other.lateEvents
    }

    /// The dense histogram and the error count of the seconds `fromSecond...throughSecond`.
    public func windowBuckets(fromSecond: Int64, throughSecond: Int64) -> (buckets: LatencyBuckets, errors: UInt64) {
        var buckets = LatencyBuckets()
        var errors: UInt64 = 0
        window.forEach(fromUnit: fromSecond, throughUnit: throughSecond) { _, second in
            guard !second.isEmpty else { return }
            buckets.add(second.latencies)
            errors &+= second.errors
        }
        return (buckets, errors)
    }
}
