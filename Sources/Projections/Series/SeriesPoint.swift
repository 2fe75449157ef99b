/// One point of a series query: the rollup of the buckets in `[timeNs, timeNs + stepNs)`.
public struct SeriesPoint: Codable, Sendable, Equatable {
    public let timeNs: Int64
    public let time: String
    public let min: Double
    public let max: Double
    public let mean: Double
    public let last: Double
    public let count: UInt64
    /// Counters only: the increase over the step divided by its seconds, resets
    /// counted as a restart from zero.
    public let rate: Double?
}

/// A query's answer with the resolution it was answered at.
public struct SeriesQueryResult: Codable, Sendable, Equatable {
    public let name: String
    public let labels: [String: String]
    public let kind: String
    /// The tier the points come from (1 s, 1 min or 1 h) and the step they are at.
    public let tierWidthNs: Int64
    public let stepNs: Int64
    public let points: [SeriesPoint]
}
