import EventStore

/// One series' tiers and the counter state that turns cumulative values into
/// increases.
public struct SeriesState: Codable, Sendable, Equatable {
    public var kind: MetricKind = .gauge
    public var seconds = RollupRing()
    public var minutes = RollupRing()
    public var hours = RollupRing()
    /// The newest counter sample by event time, to compute the next increase.
    public var counterValue: Double?
    public var counterTimeNs: Int64 = 0

    public init() {}

    /// Records a sample; returns false when it is older than even the hour tier.
    @inline(__always)
    mutating func record(timeNs: Int64, value: Double, kind: MetricKind, retention: SeriesRetention) -> Bool {
        self.kind = kind
        var increase = 0.0
        if kind == .counter {
            if let previous = counterValue {
                if timeNs >= counterTimeNs {
                    // A decrease is a reset: the counter restarted from zero.
                    increase = value >= previous ? value - previous : value
                    counterValue = value
                    counterTimeNs = timeNs
                }
                // An out-of-order sample adds no increase: the newer one already did.
            } else {
                counterValue = value
                counterTimeNs = timeNs
            }
        }
        let s = retention.second, m = retention.minute, h = retention.hour
        let a = seconds.record(unit: TimeUnits.unit(of: timeNs, widthNs: s.widthNs), capacity: s.capacity, value: value, increase: increase)
        let b = minutes.record(unit: TimeUnits.unit(of: timeNs, widthNs: m.widthNs), capacity: m.capacity, value: value, increase: increase)
        let c = hours.record(unit: TimeUnits.unit(of: timeNs, widthNs: h.widthNs), capacity: h.capacity, value: value, increase: increase)
        return a || b || c
    }

    public var footprintBytes: Int { seconds.footprintBytes + minutes.footprintBytes + hours.footprintBytes }
}
