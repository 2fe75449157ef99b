/// `/api/v1/metrics/latency`: the old dashboards read `p50`, `p95`, `p99`, `p999` and
/// `distribution` at the top level (the last 60 s, overall); `sinceStart`,
/// `operations` and `protocols` add the rest. All durations in milliseconds.
public struct LatencyView: Encodable, Sendable, Equatable {
    public struct DistributionBucket: Encodable, Sendable, Equatable {
        /// `0-1ms`, ..., `1000ms+`.
        public let label: String
        public let lowMs: Double
        /// nil for the last, open bucket.
        public let highMs: Double?
        public let count: UInt64
        public let percent: Double
    }

    public struct Summary: Encodable, Sendable, Equatable {
        public let count: UInt64
        public let errors: UInt64
        public let p50: Double
        public let p95: Double
        public let p99: Double
        public let p999: Double
        public let meanMs: Double
        public let maxMs: Double
        /// Present on the overall summaries only.
        public let distribution: [DistributionBucket]?
    }

    public struct Group: Encodable, Sendable, Equatable {
        public let name: String
        public let window: Summary
        public let sinceStart: Summary
    }

    public let asOf: TimeStamp?
    public let windowSeconds: Int
    public let p50: Double
    public let p95: Double
    public let p99: Double
    public let p999: Double
    public let distribution: [DistributionBucket]
    public let window: Summary
    public let sinceStart: Summary
    /// Sorted by name.
    public let operations: [Group]
    public let protocols: [Group]
    /// Operations whose time was older than the window when they arrived.
    public let lateEvents: UInt64
    /// The window second by second (seconds with operations only, oldest first): the
    /// percentile chart's history, so a page opened now draws the last minute at once.
    public let timeline: [Point]

    public struct Point: Encodable, Sendable, Equatable {
        public let timeNs: Int64
        public let time: String
        public let count: UInt64
        public let p50: Double
        public let p95: Double
        public let p99: Double
        public let p999: Double
    }
}
