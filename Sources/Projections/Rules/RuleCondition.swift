import EventStore

/// `above` holds when the value is strictly greater than the threshold, `below` when
/// strictly less: a value equal to the threshold never fires.
public enum ComparisonOperator: String, Codable, Sendable, CaseIterable {
    case above
    case below

    public func holds(_ value: Double, threshold: Double) -> Bool {
        switch self {
        case .above: value > threshold
        case .below: value < threshold
        }
    }
}

public struct Comparison: Codable, Sendable, Equatable {
    public var op: ComparisonOperator
    public var threshold: Double

    public init(_ op: ComparisonOperator, _ threshold: Double) {
        self.op = op
        self.threshold = threshold
    }
}

/// Selects metric series by name and label equality. Labels not named here are free,
/// so `cpu_percent` with `core=total` matches `cpu_percent{core="total",host="a"}`.
public struct MetricSelector: Codable, Sendable, Equatable {
    public var name: String
    public var labels: Labels

    public init(name: String, labels: Labels = .empty) {
        self.name = name
        self.labels = labels
    }

    public func matches(_ series: SeriesKey) -> Bool {
        guard series.name == name else { return false }
        return labels.pairs.allSatisfy { series.labels[$0.key] == $0.value }
    }
}

/// What a rule watches.
public enum RuleCondition: Codable, Sendable, Equatable {
    /// A derived figure from the projections, one alert for the whole system.
    case figure(name: Figure, comparison: Comparison)
    /// The latest sample of every matching metric series, one alert per series.
    case metric(selector: MetricSelector, comparison: Comparison)
    /// A breaker entering `OPEN` or `HALF_OPEN`, one alert per connection; the
    /// condition holds from that transition until the breaker next enters `CLOSED`.
    case breaker(entering: BreakerState)

    public var comparison: Comparison? {
        switch self {
        case .figure(_, let comparison), .metric(_, let comparison): comparison
        case .breaker: nil
        }
    }
}
