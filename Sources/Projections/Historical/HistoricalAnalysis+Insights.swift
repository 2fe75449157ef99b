import EventStore

extension HistoricalAnalysis {
    static func makeInsights(
        metric: HistoricalMetric, range: HistoricalRange, points: [(Int64, Double)],
        mean: Double, deviation: Double, peak: (Int64, Double), low: (Int64, Double)
    ) -> [HistoricalView.Insight] {
        var insights: [HistoricalView.Insight] = []
        let unit = metric.unit
        let when: (Int64) -> String = { clock($0, withDate: range == .sevenDays) }
        if deviation > 0 {
            let above = (peak.1 - mean) / deviation
            let spike = above >= spikeDeviationsMin ? "" : " (within the usual spread)"
            insights.append(.init(type: "peak", message: "Peak of \(format(peak.1))\(spaced(unit)) at \(when(peak.0)), \(format(above, decimals: 1)) standard deviations above the mean\(spike)."))
            let below = (mean - low.1) / deviation
            insights.append(.init(type: "low", message: "Low of \(format(low.1))\(spaced(unit)) at \(when(low.0)), \(format(below, decimals: 1)) standard deviations below the mean."))
        } else {
            insights.append(.init(type: "info", message: "\(metric.label) held steady at \(format(mean))\(spaced(unit)) over \(points.count) points."))
        }
        if let trend = trendPercent(points) {
            if abs(trend) < trendPercentMin {
                insights.append(.init(type: "trend", message: "\(metric.label) stable over the range (\(signed(trend)) %)."))
            } else {
                insights.append(.init(type: "trend", message: "\(metric.label) trending \(trend > 0 ? "up" : "down") \(format(abs(trend), decimals: 0)) % over the range."))
            }
        }
        if mean != 0, deviation / abs(mean) > volatilityMin {
            insights.append(.init(type: "volatility", message: "\(metric.label) is volatile: the standard deviation is \(format(deviation / abs(mean) * 100, decimals: 0)) % of the mean."))
        }
        return insights
    }

    /// The least-squares line's change from the first point's time to the last, in
    /// percent of its value at the first; nil with fewer than 3 points or a start at 0.
    static func trendPercent(_ points: [(Int64, Double)]) -> Double? {
        guard points.count >= 3 else { return nil }
        let t0 = points[0].0
        let xs = points.map { Double($0.0 - t0) / 1e9 }
        let ys = points.map(\.1)
        let n = Double(points.count)
        let mx = xs.reduce(0, +) / n, my = ys.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0
        for (x, y) in zip(xs, ys) {
            sxy += (x - mx) * (y - my)
            sxx += (x - mx) * (x - mx)
        }
        guard sxx > 0 else { return nil }
        let slope = sxy / sxx
        let start = my - slope * mx
        let end = start + slope * xs.last!
        guard abs(start) > 1e-12 else { return nil }
        return (end - start) / abs(start) * 100
    }

    /// `14:03:07` (UTC), or `2026-01-01 14:03` for week-long ranges.
    static func clock(_ timeNs: Int64, withDate: Bool) -> String {
        let text = Array(EventTime.formatRFC3339(timeNs))
        guard text.count >= 19 else { return String(text) }
        return withDate ? String(text[0..<10]) + " " + String(text[11..<16]) : String(text[11..<19])
    }

    /// Grouped thousands, one decimal below 100 (none above), e.g. `1,240`, `12.5`.
    static func format(_ value: Double, decimals: Int? = nil) -> String {
        let places = decimals ?? (abs(value) < 100 ? 1 : 0)
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let rounded = (abs(value) * scale).rounded() / scale
        let whole = UInt64(min(rounded, 9e18))
        var digits = String(whole)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        grouped = digits + grouped
        if places > 0 {
            let fraction = UInt64(((rounded - Double(whole)) * scale).rounded())
            var f = String(fraction)
            while f.count < places { f = "0" + f }
            grouped += "." + f
        }
        return (value < 0 && rounded > 0 ? "-" : "") + grouped
    }

    private static func signed(_ value: Double) -> String {
        (value >= 0 ? "+" : "-") + format(abs(value), decimals: 1)
    }

    private static func spaced(_ unit: String) -> String {
        unit.isEmpty ? "" : (unit == "%" ? " %" : " " + unit)
    }
}
