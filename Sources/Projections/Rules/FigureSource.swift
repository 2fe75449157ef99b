/// A derived figure the rule engine can watch, computed by the projections over event
/// time. Windowed figures cover the last 60 s of event time.
public enum Figure: String, Codable, Sendable, CaseIterable {
    /// Latency percentiles of `op` events over the last 60 s, in milliseconds.
    case latencyP50Ms
    case latencyP95Ms
    case latencyP99Ms
    case latencyP999Ms
    /// `op` events per second over the last 60 s.
    case throughputOpsPerSecond
    /// Failed `op` events as a percentage (0–100) of all `op` events over the last 60 s.
    case errorRatePercent
    /// The latest `cpu_percent{core="total"}` sample (0–100).
    case cpuPercent
    /// The latest `memory_bytes{kind="available"}` as a percentage of `kind="total"`.
    case memoryAvailablePercent
    /// The latest `load_average{period="1m"}`.
    case loadAverage1m
    /// Cache hits as a percentage (0–100) of lookups over the last 60 s, all caches.
    case cacheHitRatePercent
    /// The health score (0–100) of DESIGN's weights.
    case healthScore
}

/// Where the rule engine reads derived figures. The lead's projection set conforms.
///
/// Implementations must guarantee: the answer depends only on the events folded so far
/// (no clocks), and `nil` means "no data yet" rather than zero. A non-finite answer is
/// treated as no data.
public protocol FigureSource {
    func figure(_ figure: Figure) -> Double?
}

/// A source with no data at all: lets metric and breaker rules run without projections.
public struct NoFigures: FigureSource, Sendable {
    public init() {}
    public func figure(_ figure: Figure) -> Double? { nil }
}
