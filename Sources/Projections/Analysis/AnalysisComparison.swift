/// A report's headline figures as one flat table, and two reports side by side with
/// the change of every figure in percent (`tacho analyze --baseline`).
public struct AnalysisComparison: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var figure: String
        public var current: Double?
        public var baseline: Double?
        /// (current − baseline) / baseline × 100; nil when either is missing or the baseline is 0.
        public var changePercent: Double?
    }

    public var rows: [Row]

    public init(current: AnalysisReport, baseline: AnalysisReport) {
        let now = current.figures()
        let then = Dictionary(baseline.figures().map { ($0.figure, $0.value) }, uniquingKeysWith: { first, _ in first })
        var rows = now.map { figure, value -> Row in
            let old = then[figure]
            return Row(figure: figure, current: value, baseline: old, changePercent: Self.change(from: old, to: value))
        }
        let seen = Set(now.map(\.figure))
        for (figure, value) in baseline.figures() where !seen.contains(figure) {
            rows.append(Row(figure: figure, current: nil, baseline: value, changePercent: nil))
        }
        self.rows = rows
    }

    static func change(from baseline: Double?, to current: Double?) -> Double? {
        guard let baseline, let current, baseline != 0 else { return nil }
        return Rounding.percent((current - baseline) / abs(baseline) * 100)
    }
}

extension AnalysisReport {
    /// Every headline figure, named by a dotted path, in a fixed order: the CSV table
    /// and the baseline comparison use it.
    public func figures() -> [(figure: String, value: Double)] {
        var table: [(String, Double)] = [("events", Double(range.events)), ("seconds", Double(range.seconds))]
        for type in eventCounts.keys.sorted() { table.append(("events.\(type)", Double(eventCounts[type]!))) }
        table += [
            ("throughput.operations", Double(throughput.operations)),
            ("throughput.meanPerSecond", throughput.meanPerSecond),
            ("throughput.peakPerSecond", Double(throughput.peakPerSecond)),
            ("throughput.lowestPerSecond", Double(throughput.lowestPerSecond)),
        ]
        table += Self.latencyFigures("latency", latency.overall)
        for name in latency.byOperation.keys.sorted() { table += Self.latencyFigures("latency.op.\(name)", latency.byOperation[name]!) }
        for name in latency.byProtocol.keys.sorted() { table += Self.latencyFigures("latency.protocol.\(name)", latency.byProtocol[name]!) }
        table += [("errors.failed", Double(errors.failed)), ("errors.percent", errors.errorPercent)]
        if let worst = errors.worstMinute { table.append(("errors.worstMinutePercent", worst.errorPercent)) }
        for connection in breakers.keys.sorted() {
            let breaker = breakers[connection]!
            table += [
                ("breakers.\(connection).transitions", Double(breaker.transitions)),
                ("breakers.\(connection).opened", Double(breaker.opened)),
                ("breakers.\(connection).openSeconds", breaker.openSeconds),
            ]
        }
        table += [
            ("alerts.raised", Double(alerts.raised)), ("alerts.acknowledged", Double(alerts.acknowledged)),
            ("alerts.resolved", Double(alerts.resolved)),
        ]
        if let ack = alerts.meanSecondsToAcknowledge { table.append(("alerts.meanSecondsToAcknowledge", ack)) }
        if let resolve = alerts.meanSecondsToResolve { table.append(("alerts.meanSecondsToResolve", resolve)) }
        if let rate = cache.hitRate { table.append(("cache.hitRate", rate)) }
        table.append(("optimizations.changes", Double(optimizations.count)))
        if let last = optimizations.last { table.append(("optimizations.lastEfficiency", last.efficiencyAfter)) }
        if let low = health.min { table.append(("health.min", low.value)) }
        if let high = health.max { table.append(("health.max", high.value)) }
        return table.map { (figure: $0.0, value: $0.1) }
    }

    private static func latencyFigures(_ prefix: String, _ summary: LatencySummary) -> [(String, Double)] {
        [
            ("\(prefix).count", Double(summary.count)), ("\(prefix).meanMs", summary.meanMs), ("\(prefix).p50Ms", summary.p50Ms),
            ("\(prefix).p95Ms", summary.p95Ms), ("\(prefix).p99Ms", summary.p99Ms), ("\(prefix).p999Ms", summary.p999Ms),
            ("\(prefix).maxMs", summary.maxMs),
        ]
    }
}
