/// `/api/v1/metrics/historical?range=&metric=`, with the old dashboard's fields:
/// `average`, `peak`, `low`, `standardDeviation`, `timeSeries`, `insights[]` with
/// `type` and `message`.
public struct HistoricalView: Encodable, Sendable, Equatable {
    public struct Point: Encodable, Sendable, Equatable {
        public let timeNs: Int64
        public let time: String
        public let value: Double
    }

    public struct Insight: Encodable, Sendable, Equatable {
        /// `peak`, `low`, `trend`, `volatility`, `info`.
        public let type: String
        public let message: String
    }

    public let metric: String
    public let range: String
    public let unit: String
    public let from: TimeStamp
    public let to: TimeStamp
    public let stepNs: Int64
    /// nil when the range holds no data.
    public let average: Double?
    public let peak: Double?
    public let peakAt: TimeStamp?
    public let low: Double?
    public let lowAt: TimeStamp?
    public let standardDeviation: Double?
    /// Points in the range (one per step with data).
    public let sampleCount: Int
    public let timeSeries: [Point]
    public let insights: [Insight]
}
