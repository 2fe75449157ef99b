import EventStore

/// A metric family's type as Prometheus's `# TYPE` line, OpenMetrics and remote-write
/// metadata declare it, and which of the family's series are counters.
enum PrometheusMetricType: String, Sendable {
    case counter, gauge, histogram, gaugeHistogram = "gaugehistogram", summary, info, stateSet = "stateset", unknown

    /// A `# TYPE` line's word (`untyped` is 0.0.4's `unknown`).
    init?(typeLine word: String) {
        if word == "untyped" { self = .unknown } else { self.init(rawValue: word) }
    }

    /// remote-write's `MetricMetadata.MetricType` enum values.
    init(remoteWrite code: UInt64) {
        self = switch code {
        case 1: .counter
        case 2: .gauge
        case 3: .histogram
        case 4: .gaugeHistogram
        case 5: .summary
        case 6: .info
        case 7: .stateSet
        default: .unknown
        }
    }

    /// Whether the series `name` is a counter, given the types of the families known.
    ///
    /// A counter family's series (`x` in 0.0.4, `x_total` in OpenMetrics) and a
    /// histogram's or summary's `_bucket`, `_count` and `_sum` are cumulative: counters.
    /// `_created`, summary quantiles and everything else are gauges. A series whose
    /// family type is not known is a counter when its name ends in `_total`, the
    /// naming convention every Prometheus client follows for counters.
    static func kind(of name: String, types: (String) -> PrometheusMetricType?) -> MetricKind {
        if let type = types(name) {
            return type == .counter ? .counter : .gauge
        }
        for suffix in ["_total", "_bucket", "_count", "_sum", "_created"] where name.hasSuffix(suffix) {
            let family = String(name.dropLast(suffix.count))
            guard let type = types(family) else { continue }
            switch (type, suffix) {
            case (.counter, "_total"): return .counter
            case (.histogram, "_bucket"), (.histogram, "_count"), (.histogram, "_sum"),
                 (.summary, "_count"), (.summary, "_sum"):
                return .counter
            default: return .gauge
            }
        }
        return name.hasSuffix("_total") ? .counter : .gauge
    }
}
