extension LatencyProjection {
    /// One minute of the latency history.
    public struct MinutePoint: Sendable, Equatable {
        public let timeNs: Int64
        public let count: UInt64
        public let errors: UInt64
        public let p50: Double
        public let p99: Double
    }

    /// Minutes with operations in `[fromNs, toNs]`, oldest first (24 h kept).
    public func minuteHistory(fromNs: Int64, toNs: Int64) -> [MinutePoint] {
        var points: [MinutePoint] = []
        let width = TimeUnits.nanosPerMinute
        minutes.forEach(fromUnit: TimeUnits.unit(of: fromNs, widthNs: width), throughUnit: TimeUnits.unit(of: toNs, widthNs: width)) { unit, minute in
            guard !minute.isEmpty else { return }
            var buckets = LatencyBuckets()
            buckets.add(minute.latencies)
            points.append(.init(timeNs: unit * width, count: buckets.totalCount, errors: minute.errors,
                                p50: buckets.valueAtPercentileMs(50), p99: buckets.valueAtPercentileMs(99)))
        }
        return points
    }
}
