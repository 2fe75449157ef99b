import EventStore

/// The ranges `/api/v1/metrics/historical?range=` accepts.
public enum HistoricalRange: String, Sendable, CaseIterable, Encodable {
    case fifteenMinutes = "15m"
    case oneHour = "1h"
    case sixHours = "6h"
    case oneDay = "24h"
    case sevenDays = "7d"

    public var durationNs: Int64 {
        let m = TimeUnits.nanosPerMinute
        switch self {
        case .fifteenMinutes: return 15 * m
        case .oneHour: return 60 * m
        case .sixHours: return 360 * m
        case .oneDay: return 1440 * m
        case .sevenDays: return 7 * 1440 * m
        }
    }

    /// The step charts and statistics use: about 60–360 points per range.
    public var stepNs: Int64 {
        switch self {
        case .fifteenMinutes: return 15 * TimeUnits.nanosPerSecond
        case .oneHour: return TimeUnits.nanosPerMinute
        case .sixHours: return TimeUnits.nanosPerMinute
        case .oneDay: return 5 * TimeUnits.nanosPerMinute
        case .sevenDays: return TimeUnits.nanosPerHour
        }
    }
}

/// What `/api/v1/metrics/historical?metric=` names: a derived figure, or one metric
/// series by name and labels (no labels: the series without labels).
public enum HistoricalMetric: Sendable, Equatable {
    /// Operations per second, from the throughput projection's per-minute history.
    case throughput
    /// p99 latency per minute, from the latency projection's per-minute history.
    case latency
    /// Failed operations, percent per minute.
    case errorRate
    /// `cpu_percent{core="total"}`.
    case cpu
    /// `memory_bytes{kind="used"}`.
    case memory
    case series(name: String, labels: [String: String])

    /// `throughput`/`rps`, `latency`, `errors`/`error_rate`, `cpu`, `memory`, or a series name.
    public init(parsing text: String, labels: [String: String] = [:]) {
        switch text {
        case "throughput", "rps": self = .throughput
        case "latency": self = .latency
        case "errors", "error_rate", "errorRate": self = .errorRate
        case "cpu": self = .cpu
        case "memory": self = .memory
        default: self = .series(name: text, labels: labels)
        }
    }

    public var name: String {
        switch self {
        case .throughput: return "throughput"
        case .latency: return "latency"
        case .errorRate: return "errorRate"
        case .cpu: return "cpu"
        case .memory: return "memory"
        case .series(let name, _): return name
        }
    }

    /// The metric series it reads; nil for the figures of other views.
    public var seriesKey: SeriesKey? {
        switch self {
        case .throughput, .latency, .errorRate: return nil
        case .cpu: return SeriesKey(name: "cpu_percent", labels: Labels(["core": "total"]))
        case .memory: return SeriesKey(name: "memory_bytes", labels: Labels(["kind": "used"]))
        case .series(let name, let labels): return SeriesKey(name: name, labels: Labels(labels))
        }
    }

    /// The unit the values and insights are stated in.
    public var unit: String {
        switch self {
        case .throughput: return "ops/s"
        case .latency: return "ms"
        case .errorRate, .cpu: return "%"
        case .memory: return "bytes"
        case .series: return ""
        }
    }

    /// How a person calls it in a sentence.
    public var label: String {
        switch self {
        case .throughput: return "Throughput"
        case .latency: return "p99 latency"
        case .errorRate: return "Error rate"
        case .cpu: return "CPU"
        case .memory: return "Memory used"
        case .series(let name, _): return name
        }
    }
}
