import EventStore
import Histogram

extension LatencyProjection {
    /// Edges of the fixed distribution, in milliseconds; the last bucket is open.
    public static let distributionEdgesMs: [Double] = [0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000]

    /// The view as of the last operation, or as of `atNs` when later (a reader's now,
    /// or a time-travel moment): the window is the 60 complete seconds before it.
    public func view(atNs: Int64? = nil) -> LatencyView {
        let (now, first, last) = window(atNs: atNs)
        let windowSummary = Self.windowSummary(overall, first: first, last: last, withDistribution: true)
        let groups: (BoundedKeyTable<LatencyStats>) -> [LatencyView.Group] = { table in
            table.entries.map {
                LatencyView.Group(
                    name: $0.key,
                    window: Self.windowSummary($0.value, first: first, last: last, withDistribution: false),
                    sinceStart: Self.sinceStartSummary($0.value, withDistribution: false))
            }
        }
        return LatencyView(
            asOf: now.map { TimeStamp(timeNs: $0 * TimeUnits.nanosPerSecond) },
            windowSeconds: Self.windowSeconds,
            p50: windowSummary.p50, p95: windowSummary.p95, p99: windowSummary.p99, p999: windowSummary.p999,
            distribution: windowSummary.distribution ?? [],
            window: windowSummary,
            sinceStart: Self.sinceStartSummary(overall, withDistribution: true),
            operations: groups(byOperation),
            protocols: groups(byProtocol),
            lateEvents: overall.lateEvents,
            timeline: Self.timeline(overall, first: first, last: last))
    }

    /// The second a view is as of (the last operation's, or `atNs`'s when later) and
    /// the window's complete seconds `first...last` before it.
    func window(atNs: Int64?) -> (now: Int64?, first: Int64, last: Int64) {
        var now = headSecond
        if let atNs {
            let s = TimeUnits.unit(of: atNs, widthNs: TimeUnits.nanosPerSecond)
            if now == nil || s > now! { now = s }
        }
        let last = (now ?? 0) - 1
        return (now, last - Int64(Self.windowSeconds) + 1, last)
    }

    /// Per-second percentiles of `first...last`, seconds without operations left out.
    static func timeline(_ stats: LatencyStats, first: Int64, last: Int64) -> [LatencyView.Point] {
        guard first <= last else { return [] }
        var points: [LatencyView.Point] = []
        for second in first...last {
            let (buckets, _) = stats.windowBuckets(fromSecond: second, throughSecond: second)
            let count = buckets.totalCount
            guard count > 0 else { continue }
            let timeNs = second * TimeUnits.nanosPerSecond
            points.append(.init(
                timeNs: timeNs, time: EventTime.formatRFC3339(timeNs), count: count,
                p50: buckets.valueAtPercentileMs(50), p95: buckets.valueAtPercentileMs(95),
                p99: buckets.valueAtPercentileMs(99), p999: buckets.valueAtPercentileMs(99.9)))
        }
        return points
    }

    /// The overall summary of the 60 complete seconds before the newest operation
    /// (or `atNs` when later), without groups or distributions: what the alert rules
    /// read once per second of event time, so it must stay cheap.
    public func overallWindow(atNs: Int64? = nil) -> LatencyView.Summary {
        var now = headSecond
        if let atNs {
            let s = TimeUnits.unit(of: atNs, widthNs: TimeUnits.nanosPerSecond)
            if now == nil || s > now! { now = s }
        }
        let last = (now ?? 0) - 1
        return Self.windowSummary(overall, first: last - Int64(Self.windowSeconds) + 1, last: last, withDistribution: false)
    }

    static func windowSummary(_ stats: LatencyStats, first: Int64, last: Int64, withDistribution: Bool) -> LatencyView.Summary {
        let (buckets, errors) = stats.windowBuckets(fromSecond: first, throughSecond: last)
        var sum = 0.0
        var maxMs = 0.0
        for (index, count) in buckets.counts.enumerated() where count > 0 {
            let ms = LatencyScale.representativeMs(ofIndex: index)
            sum += ms * Double(count)
            maxMs = ms
        }
        let n = buckets.totalCount
        var distribution: [LatencyView.DistributionBucket]?
        if withDistribution {
            distribution = makeDistribution(total: n) { low, high in buckets.count(fromMs: low, toMs: high ?? .infinity) }
        }
        return .init(
            count: n, errors: errors,
            p50: buckets.valueAtPercentileMs(50), p95: buckets.valueAtPercentileMs(95),
            p99: buckets.valueAtPercentileMs(99), p999: buckets.valueAtPercentileMs(99.9),
            meanMs: n == 0 ? 0 : sum / Double(n), maxMs: maxMs, distribution: distribution)
    }

    static func sinceStartSummary(_ stats: LatencyStats, withDistribution: Bool) -> LatencyView.Summary {
        let h = stats.sinceStart
        let n = h.totalCount
        let ms: (Double) -> Double = { n == 0 ? 0 : Double(h.valueAtPercentile($0)) / 1000 }
        var distribution: [LatencyView.DistributionBucket]?
        if withDistribution {
            // Each HDR bucket counts once, on the side of an edge its lowest value is on,
            // so adjacent distribution buckets never share a count.
            var lows: [(lowUs: UInt64, count: UInt64)] = []
            for value in h.recordedValues() { lows.append((h.lowestEquivalentForValue(value.value), UInt64(value.count))) }
            distribution = makeDistribution(total: n) { low, high in
                let highUs = high.map { $0 * 1000 } ?? .infinity
                return lows.reduce(0) { Double($1.lowUs) >= low * 1000 && Double($1.lowUs) < highUs ? $0 + $1.count : $0 }
            }
        }
        return .init(
            count: n, errors: stats.totals.errors,
            p50: ms(50), p95: ms(95), p99: ms(99), p999: ms(99.9),
            meanMs: stats.meanMicros / 1000, maxMs: n == 0 ? 0 : Double(h.max) / 1000,
            distribution: distribution)
    }

    private static func makeDistribution(total: UInt64, count: (Double, Double?) -> UInt64) -> [LatencyView.DistributionBucket] {
        let edges = distributionEdgesMs
        return edges.indices.map { i in
            let low = edges[i]
            let high: Double? = i + 1 < edges.count ? edges[i + 1] : nil
            let c = count(low, high)
            let label = high.map { "\(Self.format(low))-\(Self.format($0))ms" } ?? "\(Self.format(low))ms+"
            return .init(label: label, lowMs: low, highMs: high, count: c, percent: total == 0 ? 0 : Double(c) / Double(total) * 100)
        }
    }

    private static func format(_ ms: Double) -> String { String(Int(ms)) }
}
