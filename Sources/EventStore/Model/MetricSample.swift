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

    /// Prometheus's stale marker, a NaN with this exact bit pattern (`value.StaleNaN`):
    /// the series ended here (it left its target's scrape, or the scrape failed). A
    /// sample holding it is no value: the views pass over it, PromQL's instant
    /// selectors find nothing past it and its range windows leave it out.
    public static let staleMarkerBitPattern: UInt64 = 0x7FF0_0000_0000_0002

    /// A stale marker of `series`.
    public static func staleMarker(series: SeriesKey, kind: MetricKind = .gauge) -> MetricSample {
        MetricSample(series: series, value: Double(bitPattern: staleMarkerBitPattern), kind: kind)
    }

    public var isStaleMarker: Bool { Self.isStaleMarker(value) }

    @inline(__always)
    public static func isStaleMarker(_ value: Double) -> Bool { value.bitPattern == staleMarkerBitPattern }

    /// The values a sample may hold: finite ones and the stale marker (any other NaN
    /// or an infinity is refused at ingest and is damage in the log).
    @inline(__always)
    public static func isValueInDomain(_ value: Double) -> Bool { value.isFinite || isStaleMarker(value) }
}
