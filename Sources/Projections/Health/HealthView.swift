import EventStore

/// `GET /api/v1/health`.
public struct HealthView: Encodable, Sendable, Equatable {
    public struct Inputs: Encodable, Sendable, Equatable {
        public var averageParseRate: Double?
        public var uptimeSeconds: Double?
        public var breakersClosed: Int
        public var breakersHalfOpen: Int
        public var breakersOpen: Int
        public var efficiency: Double?
        public var cacheHitRate: Double?
        public var errorPercent: Double?
        public var operationsLast60s: Double
    }

    /// 0–100, to one decimal; absent when no component has data.
    public var score: Double?
    public var status: HealthStatus
    /// All six components in DESIGN's order, left-out ones with `included: false`.
    public var components: [HealthScore.Component]
    public var inputs: Inputs
    public var asOf: String?
    public var asOfNs: Int64?
}

extension HealthProjection {
    /// Derives the score from the other projections' states.
    ///
    /// Cache hit rate is the last minute's when caches reported traffic in it, else
    /// the whole run's.
    public func view(
        breakers: CircuitBreakersProjection, optimization: OptimizationProjection, caches: CacheStatsProjection
    ) -> HealthView {
        var closed = 0, halfOpen = 0, open = 0
        var parseRateSum = 0.0, parseRateCount = 0
        for record in breakers.connections.values {
            switch record.state {
            case .closed: closed += 1
            case .halfOpen: halfOpen += 1
            case .open: open += 1
            }
            if let rate = record.parseRate {
                parseRateSum += rate
                parseRateCount += 1
            }
        }
        let breakerCount = closed + halfOpen + open
        let inputs = HealthInputs(
            averageParseRate: parseRateCount > 0 ? parseRateSum / Double(parseRateCount) : nil,
            uptimeSeconds: uptimeNs.map { Double($0) / 1e9 },
            breakerHealth: breakerCount > 0 ? (Double(closed) + 0.5 * Double(halfOpen)) / Double(breakerCount) : nil,
            efficiency: optimization.current?.efficiency,
            cacheHitRate: caches.totalHitRateLastMinute ?? caches.totalHitRate,
            errorPercent: errorPercentLastMinute)
        let (exact, components) = HealthScore.compute(inputs)
        let score = exact.map { ($0 * 10).rounded() / 10 }
        return HealthView(
            score: score, status: score.map(HealthStatus.init(score:)) ?? .unknown, components: components,
            inputs: HealthView.Inputs(
                averageParseRate: inputs.averageParseRate, uptimeSeconds: inputs.uptimeSeconds,
                breakersClosed: closed, breakersHalfOpen: halfOpen, breakersOpen: open,
                efficiency: inputs.efficiency, cacheHitRate: inputs.cacheHitRate,
                errorPercent: inputs.errorPercent, operationsLast60s: operationsLastMinute),
            asOf: ViewTime.text(lastEventNs), asOfNs: lastEventNs)
    }
}
