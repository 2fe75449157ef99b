public enum MetricKind: UInt8, Sendable, Codable, CaseIterable {
    case gauge = 0
    /// Cumulative since the producer started; a decrease is a reset.
    case counter = 1

    public var name: String { self == .gauge ? "gauge" : "counter" }
}

/// A sample of a metric series.
public struct MetricSample: Sendable, Equatable, Hashable {
    public var series: SeriesKey
    public var value: Double
    public var kind: MetricKind

    public init(series: SeriesKey, value: Double, kind: MetricKind = .gauge) {
        self.series = series
        self.value = value
        self.kind = kind
    }

    public init(name: String, labels: [String: String] = [:], value: Double, kind: MetricKind = .gauge) {
        self.init(series: SeriesKey(name: name, labels: Labels(labels)), value: value, kind: kind)
    }
}
