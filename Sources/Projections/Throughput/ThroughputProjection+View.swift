extension ThroughputProjection {
    /// The view as of the last event, or as of `atNs` (a reader's "now" or a time-travel
    /// moment) when that is later: seconds that passed with no operations then count
    /// as zeros, so throughput falls to 0 when traffic stops.
    public func view(atNs: Int64? = nil) -> ThroughputView {
        let window = Int64(Self.windowSeconds)
        var nowSecond = seconds.headUnit
        if let atNs {
            let atSecond = seconds.unit(of: atNs)
            if nowSecond == nil || atSecond > nowSecond! { nowSecond = atSecond }
        }
        var ring = seconds
        if let nowSecond { ring.advance(toUnit: nowSecond) }

        var timeline: [ThroughputView.Point] = []
        var current: Double = 0
        var windowCounts = OpCounts()
        var observedSeconds: Int64 = 0
        var peak: (UInt64, Int64)?
        var lowest: (UInt64, Int64)?
        var previous = OpCounts()
        if let nowSecond, let firstSecond {
            let last = nowSecond - 1
            let first = last - window + 1
            // Seconds before the first operation are not observed: they do not count
            // as zeros in the average or the lowest.
            ring.forEach(fromUnit: max(first, firstSecond), throughUnit: last) { unit, bucket in
                observedSeconds += 1
                windowCounts.merge(bucket)
                if peak == nil || bucket.count > peak!.0 { peak = (bucket.count, unit) }
                if lowest == nil || bucket.count < lowest!.0 { lowest = (bucket.count, unit) }
            }
            ring.forEach(fromUnit: first, throughUnit: last) { unit, bucket in
                timeline.append(Self.point(unit: unit, widthNs: TimeUnits.nanosPerSecond, bucket: bucket, seconds: 1))
            }
            current = Double(ring.bucket(atUnit: last)?.count ?? 0)
            previous = ring.merged(fromUnit: first - window, throughUnit: first - 1)
        }
        let average = observedSeconds == 0 ? 0 : Double(windowCounts.count) / Double(observedSeconds)
        let trend = makeTrend(nowSecond: nowSecond, average: average, previous: previous)
        let history = minutes.liveEntries.map {
            Self.point(unit: $0.unit, widthNs: TimeUnits.nanosPerMinute, bucket: $0.bucket, seconds: 60)
        }
        return ThroughputView(
            asOf: nowSecond.map { TimeStamp(timeNs: $0 * TimeUnits.nanosPerSecond) },
            current: current,
            average: average,
            peak: Double(peak?.0 ?? 0),
            peakAt: peak.map { TimeStamp(timeNs: $0.1 * TimeUnits.nanosPerSecond) },
            lowest: Double(lowest?.0 ?? 0),
            lowestAt: lowest.map { TimeStamp(timeNs: $0.1 * TimeUnits.nanosPerSecond) },
            peakSinceStart: Double(peakSecondCount),
            peakSinceStartAt: peakSecond.map { TimeStamp(timeNs: $0 * TimeUnits.nanosPerSecond) },
            total: totals.count,
            errors: totals.errors,
            windowCount: windowCounts.count,
            windowErrors: windowCounts.errors,
            errorPercent: windowCounts.errorPercent,
            trend: trend,
            timeline: timeline,
            history: history,
            lateEvents: lateEvents
        )
    }

    private func makeTrend(nowSecond: Int64?, average: Double, previous: OpCounts) -> ThroughputView.Trend {
        let window = Int64(Self.windowSeconds)
        let previousAverage = Double(previous.count) / Double(window)
        guard let nowSecond, let firstSecond, firstSecond <= nowSecond - 2 * window, previous.count > 0 else {
            return .init(currentAverage: average, previousAverage: previousAverage, percentChange: nil, direction: "unknown")
        }
        let change = (average - previousAverage) / previousAverage * 100
        let direction = change > 1 ? "up" : (change < -1 ? "down" : "flat")
        return .init(currentAverage: average, previousAverage: previousAverage, percentChange: change, direction: direction)
    }

    private static func point(unit: Int64, widthNs: Int64, bucket: OpCounts, seconds: Double) -> ThroughputView.Point {
        let timeNs = unit * widthNs
        return .init(timeNs: timeNs, time: TimeStamp(timeNs: timeNs).time, rps: Double(bucket.count) / seconds, count: bucket.count, errors: bucket.errors)
    }
}
