/// `/api/v1/metrics/rps`: operations per second, as the old dashboards read it
/// (`current`, `average`, `peak`, `timeline`, `trend`).
public struct ThroughputView: Encodable, Sendable, Equatable {
    public struct Point: Encodable, Sendable, Equatable {
        public let timeNs: Int64
        public let time: String
        /// Operations in this second (or per second over this minute, in `history`).
        public let rps: Double
        public let count: UInt64
        public let errors: UInt64
    }

    public struct Trend: Encodable, Sendable, Equatable {
        /// Mean ops/s of the last 60 complete seconds and of the 60 before them.
        public let currentAverage: Double
        public let previousAverage: Double
        /// Percent change of the last 60 s against the 60 s before; nil until a full
        /// previous window has been observed or when it had no operations.
        public let percentChange: Double?
        /// `up`, `down`, `flat` (within ±1 %), or `unknown`.
        public let direction: String
    }

    /// The second the view ends at (exclusive of it: it is still filling).
    public let asOf: TimeStamp?
    /// Operations in the last complete second.
    public let current: Double
    /// Mean ops/s over the last 60 complete seconds (fewer at start-up).
    public let average: Double
    /// Busiest and quietest complete second of the window.
    public let peak: Double
    public let peakAt: TimeStamp?
    public let lowest: Double
    public let lowestAt: TimeStamp?
    /// Busiest second since start.
    public let peakSinceStart: Double
    public let peakSinceStartAt: TimeStamp?
    public let total: UInt64
    public let errors: UInt64
    public let windowCount: UInt64
    public let windowErrors: UInt64
    /// Failed share of the window's operations, percent.
    public let errorPercent: Double
    public let trend: Trend
    /// The window's complete seconds, oldest first, zeros for seconds with no operations.
    public let timeline: [Point]
    /// Per-minute history (up to 24 h), oldest first, minutes with operations only.
    public let history: [Point]
    public let lateEvents: UInt64
}
