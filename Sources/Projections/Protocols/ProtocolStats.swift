/// One protocol's operations: per-second latency buckets and errors for the window,
/// counts since start.
public struct ProtocolStats: Codable, Sendable, Equatable, Mergeable {
    public private(set) var window = TimeRing<LatencySecond>(slotWidthNs: TimeUnits.nanosPerSecond, capacity: LatencyStats.windowSlots)
    public private(set) var totals = OpCounts()
    public private(set) var lateEvents: UInt64 = 0

    public init() {}

    @inline(__always)
    public mutating func record(timeNs: Int64, micros: UInt64, ok: Bool) {
        totals.record(ok: ok)
        if window.update(atTimeNs: timeNs, { $0.record(micros: micros, ok: ok) }) == .late { lateEvents &+= 1 }
    }

    public mutating func merge(_ other: ProtocolStats) {
        window.merge(other.window)
        totals.merge(other.totals)
        lateEvents &+= other.lateEvents
    }
}
