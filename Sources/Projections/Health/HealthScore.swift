/// What the health score is computed from; nil means no data for that component.
public struct HealthInputs: Sendable, Equatable {
    /// Mean of the connections' latest parse rates, 0–1.
    public var averageParseRate: Double?
    public var uptimeSeconds: Double?
    /// (closed + ½ half-open) / all breakers, 0–1.
    public var breakerHealth: Double?
    /// The optimizer's latest efficiency, 0–1.
    public var efficiency: Double?
    /// 0–1.
    public var cacheHitRate: Double?
    /// Failed operations over the last minute, 0–100.
    public var errorPercent: Double?

    public init(
        averageParseRate: Double? = nil, uptimeSeconds: Double? = nil, breakerHealth: Double? = nil,
        efficiency: Double? = nil, cacheHitRate: Double? = nil, errorPercent: Double? = nil
    ) {
        self.averageParseRate = averageParseRate
        self.uptimeSeconds = uptimeSeconds
        self.breakerHealth = breakerHealth
        self.efficiency = efficiency
        self.cacheHitRate = cacheHitRate
        self.errorPercent = errorPercent
    }
}

public enum HealthStatus: String, Encodable, Sendable, Equatable {
    case excellent
    case good
    case degraded
    case critical
    /// No component has data.
    case unknown

    /// ≥ 90 excellent, ≥ 75 good, ≥ 50 degraded, else critical.
    public init(score: Double) {
        switch score {
        case 90...: self = .excellent
        case 75..<90: self = .good
        case 50..<75: self = .degraded
        default: self = .critical
        }
    }
}

/// The health score of DESIGN: six weighted components, those without data left
/// out and the remaining weights rescaled to sum to one.
public enum HealthScore {
    public static let parseRateWeight = 0.25
    public static let uptimeWeight = 0.15
    public static let circuitBreakerWeight = 0.20
    public static let efficiencyWeight = 0.20
    public static let cacheHitRateWeight = 0.10
    public static let errorRateWeight = 0.10
    /// Uptime counts fully from a day on.
    public static let fullUptimeSeconds = 86_400.0
    /// An error rate of 5 % or more scores zero.
    public static let errorPercentFloor = 5.0

    public struct Component: Encodable, Sendable, Equatable {
        /// parseRate, uptime, circuitBreakerHealth, performanceEfficiency, cacheHitRate, errorRate.
        public var name: String
        public var weight: Double
        /// The weight after rescaling over the included components; 0 when left out.
        public var effectiveWeight: Double
        /// 0–1; nil when left out.
        public var value: Double?
        /// Points of the 0–100 score this component gives.
        public var contribution: Double
        public var included: Bool
    }

    /// The components in DESIGN's order, with values clamped to 0–1.
    public static func componentValues(_ inputs: HealthInputs) -> [(name: String, weight: Double, value: Double?)] {
        [
            ("parseRate", parseRateWeight, inputs.averageParseRate),
            ("uptime", uptimeWeight, inputs.uptimeSeconds.map { min($0 / fullUptimeSeconds, 1) }),
            ("circuitBreakerHealth", circuitBreakerWeight, inputs.breakerHealth),
            ("performanceEfficiency", efficiencyWeight, inputs.efficiency),
            ("cacheHitRate", cacheHitRateWeight, inputs.cacheHitRate),
            ("errorRate", errorRateWeight, inputs.errorPercent.map { 1 - min(max($0, 0) / errorPercentFloor, 1) }),
        ].map { ($0.0, $0.1, $0.2.map { min(max($0, 0), 1) }) }
    }

    /// The exact score (0–100, unrounded) and its breakdown; a nil score when no component has data.
    public static func compute(_ inputs: HealthInputs) -> (score: Double?, components: [Component]) {
        let values = componentValues(inputs)
        let includedWeight = values.reduce(0.0) { $0 + ($1.value == nil ? 0 : $1.weight) }
        var score = 0.0
        let components = values.map { entry -> Component in
            guard let value = entry.value, includedWeight > 0 else {
                return Component(name: entry.name, weight: entry.weight, effectiveWeight: 0, value: nil, contribution: 0, included: false)
            }
            let effective = entry.weight / includedWeight
            let contribution = effective * value * 100
            score += contribution
            return Component(
                name: entry.name, weight: entry.weight, effectiveWeight: effective, value: value,
                contribution: contribution, included: true)
        }
        return (includedWeight > 0 ? min(max(score, 0), 100) : nil, components)
    }
}
