import EventStore

extension SeriesProjection {
    public typealias Point = SeriesPoint
    /// Points one query may return; a finer step is coarsened to fit.
    public static let queryPointsMax = 11_000

    /// The points of series `name{labels}` between `fromNs` and `toNs` (bucket starts,
    /// inclusive) at `stepNs` (coarsened to the tier's width and to `queryPointsMax`),
    /// from the finest tier that still holds `fromNs`. Steps with no samples are left
    /// out. Empty when the series is unknown or the range is empty.
    public func query(name: String, labels: Labels, fromNs: Int64, toNs: Int64, stepNs: Int64) -> [Point] {
        queryResult(key: SeriesKey(name: name, labels: labels), fromNs: fromNs, toNs: toNs, stepNs: stepNs)?.points ?? []
    }

    public func queryResult(key: SeriesKey, fromNs: Int64, toNs: Int64, stepNs: Int64) -> SeriesQueryResult? {
        guard let state = state(of: key), fromNs <= toNs else { return nil }
        let tiers = [(retention.second, state.seconds), (retention.minute, state.minutes), (retention.hour, state.hours)]
        let nonEmpty = tiers.filter { $0.1.count > 0 }
        guard !nonEmpty.isEmpty else { return nil }
        let chosen = nonEmpty.first { $0.1.oldestUnit * $0.0.widthNs <= fromNs }
            ?? nonEmpty.min { $0.1.oldestUnit * $0.0.widthNs < $1.1.oldestUnit * $1.0.widthNs }!
        let (tier, ring) = chosen
        let width = tier.widthNs
        var step = max(stepNs, width)
        let minimumForCount = (toNs - fromNs) / Int64(Self.queryPointsMax) + 1
        step = max(step, minimumForCount)
        step = (step + width - 1) / width * width

        var points: [Point] = []
        var group = Rollup()
        var groupStart: Int64 = .min
        let isCounter = state.kind == .counter
        let flush = {
            guard group.count > 0 else { return }
            points.append(Point(
                timeNs: groupStart, time: EventTime.formatRFC3339(groupStart),
                min: Double(group.min), max: Double(group.max), mean: Double(group.mean), last: Double(group.last),
                count: UInt64(group.count),
                rate: isCounter ? Double(group.increase) / (Double(step) / Double(TimeUnits.nanosPerSecond)) : nil))
        }
        ring.forEach(fromUnit: TimeUnits.unit(of: fromNs, widthNs: width), throughUnit: TimeUnits.unit(of: toNs, widthNs: width)) { unit, bucket in
            let start = TimeUnits.unit(of: unit * width, widthNs: step) * step
            if start != groupStart {
                flush()
                group = Rollup()
                groupStart = start
            }
            group.merge(bucket)
        }
        flush()
        return SeriesQueryResult(
            name: key.name, labels: key.labels.dictionary, kind: state.kind.name,
            tierWidthNs: width, stepNs: step, points: points)
    }
}
