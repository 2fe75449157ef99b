import EventStore

extension SeriesProjection {
    /// Where the log's minutes take over from this state's for `key`: the first
    /// minute its minute tier holds (nil when it holds none: the log answers all).
    public func minuteTierStartNs(of key: SeriesKey) -> Int64? {
        guard let state = state(of: key), state.minutes.count > 0 else { return nil }
        return state.minutes.oldestUnit * retention.minute.widthNs
    }

    /// The rollups of `key` over `fromNs...toNs` for a chart or an analysis: this
    /// state's seconds and minutes, the minutes before those from `older` (the log's,
    /// `MetricSampleScanner.minuteRollups` up to `minuteTierStartNs(of:)`), and hours
    /// merged from all those minutes. A state of that one series whose tiers span the
    /// range (its minute tier holds up to `SeriesRetention.bucketsPerRingMax` minutes).
    /// `ownFromNs`: this state's minutes before it are left out (a fold from the log
    /// whose first minute holds only part of its samples), `older`'s taken instead.
    public func history(of key: SeriesKey, fromNs: Int64, toNs: Int64, older: SeriesMinutes?, ownFromNs: Int64? = nil) -> SeriesProjection {
        let own = state(of: key)
        let minuteWidth = retention.minute.widthNs
        let ownFromUnit = ownFromNs.map { TimeUnits.unit(of: $0, widthNs: minuteWidth) } ?? .min
        let ownStart = own.flatMap { $0.minutes.count > 0 ? max($0.minutes.oldestUnit, ownFromUnit) : nil }
        var units: [Int64] = []
        var buckets: [Rollup] = []
        if let older {
            for (unit, bucket) in zip(older.units, older.buckets) where ownStart.map({ unit < $0 }) ?? true {
                units.append(unit)
                buckets.append(bucket)
            }
        }
        if let own, own.minutes.count > 0 {
            own.minutes.forEach(fromUnit: ownStart ?? own.minutes.oldestUnit, throughUnit: own.minutes.headUnit) { unit, bucket in
                guard !bucket.isEmpty else { return }
                units.append(unit)
                buckets.append(bucket)
            }
        }
        let firstUnit = TimeUnits.unit(of: fromNs, widthNs: minuteWidth)
        let lastUnit = units.last ?? firstUnit
        let span = Int(min(Int64(SeriesRetention.bucketsPerRingMax), max(1, lastUnit - firstUnit + 1)))
        let hourSpan = max(1, span / 60 + 2)
        let answerRetention = SeriesRetention(secondBuckets: retention.second.capacity, minuteBuckets: span, hourBuckets: hourSpan)
        var answer = SeriesProjection(retention: answerRetention, seriesMax: 1)
        guard own != nil || !units.isEmpty else { return answer }
        var state = own ?? SeriesState()
        if let older, own == nil { state.kind = older.kind }
        // Minutes from the first of the range (or the first held) to the newest.
        let oldest = max(lastUnit - Int64(span) + 1, min(firstUnit, units.first ?? firstUnit))
        var minutes = [Rollup](repeating: Rollup(), count: Int(lastUnit - oldest + 1))
        var hours: [Int64: Rollup] = [:]
        for (unit, bucket) in zip(units, buckets) {
            hours[TimeUnits.unit(of: unit * minuteWidth, widthNs: retention.hour.widthNs), default: Rollup()].merge(bucket)
            guard unit >= oldest else { continue }
            minutes[Int(unit - oldest)] = bucket
        }
        state.minutes = RollupRing(ordered: minutes, headUnit: lastUnit)
        let hourUnits = hours.keys.sorted()
        if let lastHour = hourUnits.last {
            let firstHour = max(hourUnits[0], lastHour - Int64(hourSpan) + 1)
            state.hours = RollupRing(
                ordered: (firstHour...lastHour).map { hours[$0] ?? Rollup() }, headUnit: lastHour)
        } else {
            state.hours = RollupRing()
        }
        answer.adopt(key, state)
        return answer
    }

    /// Adds a series with its state (an answer's one series).
    private mutating func adopt(_ key: SeriesKey, _ state: SeriesState) {
        index[key] = keys.count
        keys.append(key)
        states.append(state)
    }
}
