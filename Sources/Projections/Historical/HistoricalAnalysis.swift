import EventStore

/// Statistics and plain-language insights over a range of a metric, computed from
/// the series, throughput and latency projections' history (no state of its own).
public enum HistoricalAnalysis {
    /// A trend smaller than this, in percent of the range's starting level, is "stable".
    public static let trendPercentMin = 5.0
    /// A peak this many standard deviations above the mean is called out as a spike.
    public static let spikeDeviationsMin = 2.0
    /// Coefficient of variation above which a metric is called volatile.
    public static let volatilityMin = 0.5

    /// The range `range` ending at `endNs` (a reader's now, or a time-travel moment).
    public static func analyze(
        metric: HistoricalMetric, range: HistoricalRange, endNs: Int64,
        series: SeriesProjection, throughput: ThroughputProjection, latency: LatencyProjection
    ) -> HistoricalView {
        let fromNs = endNs - range.durationNs
        let points = values(metric: metric, fromNs: fromNs, toNs: endNs, stepNs: range.stepNs, series: series, throughput: throughput, latency: latency)
        return summarize(metric: metric, range: range, fromNs: fromNs, toNs: endNs, stepNs: range.stepNs, points: points)
    }

    /// `(timeNs, value)` per step with data, oldest first.
    static func values(
        metric: HistoricalMetric, fromNs: Int64, toNs: Int64, stepNs: Int64,
        series: SeriesProjection, throughput: ThroughputProjection, latency: LatencyProjection
    ) -> [(Int64, Double)] {
        switch metric {
        case .throughput:
            let width = TimeUnits.nanosPerMinute
            var out: [(Int64, Double)] = []
            throughput.minutes.forEach(fromUnit: TimeUnits.unit(of: fromNs, widthNs: width), throughUnit: TimeUnits.unit(of: toNs, widthNs: width)) { unit, bucket in
                // Minutes before the first operation are unobserved, not zero.
                guard let first = throughput.firstSecond, unit >= TimeUnits.unit(of: first, widthNs: 60) else { return }
                out.append((unit * width, Double(bucket.count) / 60))
            }
            return out
        case .latency:
            return latency.minuteHistory(fromNs: fromNs, toNs: toNs).map { ($0.timeNs, $0.p99) }
        case .errorRate:
            return latency.minuteHistory(fromNs: fromNs, toNs: toNs).map { ($0.timeNs, Double($0.errors) / Double($0.count) * 100) }
        case .cpu, .memory, .series:
            guard let key = metric.seriesKey, let result = series.queryResult(key: key, fromNs: fromNs, toNs: toNs, stepNs: stepNs) else { return [] }
            let isCounter = result.kind == MetricKind.counter.name
            return result.points.map { ($0.timeNs, isCounter ? ($0.rate ?? 0) : $0.mean) }
        }
    }

    /// The statistics and insights of `points`; pure, so tests give it known data.
    public static func summarize(metric: HistoricalMetric, range: HistoricalRange, fromNs: Int64, toNs: Int64, stepNs: Int64, points: [(Int64, Double)]) -> HistoricalView {
        let series = points.map { HistoricalView.Point(timeNs: $0.0, time: EventTime.formatRFC3339($0.0), value: $0.1) }
        guard !points.isEmpty else {
            return HistoricalView(
                metric: metric.name, range: range.rawValue, unit: metric.unit, from: TimeStamp(timeNs: fromNs), to: TimeStamp(timeNs: toNs),
                stepNs: stepNs, average: nil, peak: nil, peakAt: nil, low: nil, lowAt: nil, standardDeviation: nil,
                sampleCount: 0, timeSeries: [],
                insights: [.init(type: "info", message: "No \(metric.label) data in the last \(range.rawValue).")])
        }
        let n = Double(points.count)
        let mean = points.reduce(0) { $0 + $1.1 } / n
        let variance = points.reduce(0) { $0 + ($1.1 - mean) * ($1.1 - mean) } / n
        let deviation = variance.squareRoot()
        // The first of equal extremes, so the answer does not depend on anything but order.
        var peak = points[0], low = points[0]
        for p in points.dropFirst() {
            if p.1 > peak.1 { peak = p }
            if p.1 < low.1 { low = p }
        }
        let insights = makeInsights(metric: metric, range: range, points: points, mean: mean, deviation: deviation, peak: peak, low: low)
        return HistoricalView(
            metric: metric.name, range: range.rawValue, unit: metric.unit, from: TimeStamp(timeNs: fromNs), to: TimeStamp(timeNs: toNs),
            stepNs: stepNs, average: mean, peak: peak.1, peakAt: TimeStamp(timeNs: peak.0), low: low.1, lowAt: TimeStamp(timeNs: low.0),
            standardDeviation: deviation, sampleCount: points.count, timeSeries: series, insights: insights)
    }
}
