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
        let increase = kind == .counter
            ? CounterIncrease.record(value: value, timeNs: timeNs, previous: &counterValue, previousTimeNs: &counterTimeNs) : 0
        let s = retention.second, m = retention.minute, h = retention.hour
        let a = seconds.record(unit: TimeUnits.unit(of: timeNs, widthNs: s.widthNs), capacity: s.capacity, value: value, increase: increase)
        let b = minutes.record(unit: TimeUnits.unit(of: timeNs, widthNs: m.widthNs), capacity: m.capacity, value: value, increase: increase)
        let c = hours.record(unit: TimeUnits.unit(of: timeNs, widthNs: h.widthNs), capacity: h.capacity, value: value, increase: increase)
        return a || b || c
    }

    /// The tiers cut to `retention`'s capacities, newest buckets kept.
    func retained(_ retention: SeriesRetention) -> SeriesState {
        var state = self
        state.seconds = seconds.newest(retention.second.capacity)
        state.minutes = minutes.newest(retention.minute.capacity)
        state.hours = hours.newest(retention.hour.capacity)
        return state
    }

    public var footprintBytes: Int { seconds.footprintBytes + minutes.footprintBytes + hours.footprintBytes }
}
