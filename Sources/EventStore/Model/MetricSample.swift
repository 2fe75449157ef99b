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

    /// Prometheus's NaN (`value.NormalNaN`): the one NaN a sample holds besides the
    /// stale marker, so that a value is its bits in the log and its name in JSON.
    public static let nanBitPattern: UInt64 = 0x7FF8_0000_0000_0001

    /// The values a sample may hold, as Prometheus's: any number, ±Inf, its NaN and the
    /// stale marker (another NaN is refused by the log and is damage in a batch; ingest
    /// stores a foreign NaN as `canonical` makes it).
    @inline(__always)
    public static func isValueInDomain(_ value: Double) -> Bool {
        !value.isNaN || value.bitPattern == nanBitPattern || value.bitPattern == staleMarkerBitPattern
    }

    /// `value` as the log holds it: a NaN other than the stale marker becomes Prometheus's.
    @inline(__always)
    public static func canonical(_ value: Double) -> Double {
        isValueInDomain(value) ? value : Double(bitPattern: nanBitPattern)
    }

    /// Whether the views fold the sample: NaN, ±Inf and stale markers are values for
    /// PromQL only (a chart, a mean or a rule's threshold has nothing to do with them).
    public var hasFiniteValue: Bool { value.isFinite }
}
