/// `/api/v1/metrics/protocols`, with the old dashboards' fields: `protocols[]` with
/// `name`, `rps`, `avgLatency`, `errorRate`, `status`, and `distribution[]` with
/// `name`, `value` for the pie chart. Latencies in milliseconds, rates per second,
/// shares as fractions (0–1) and percentages (0–100).
public struct ProtocolsView: Encodable, Sendable, Equatable {
    public struct Entry: Encodable, Sendable, Equatable {
        public let name: String
        /// Requests in the window.
        public let requests: UInt64
        public let share: Double
        public let percentage: Double
        public let rps: Double
        public let p50: Double
        public let p99: Double
        public let avgLatency: Double
        public let errors: UInt64
        /// Failed share of the window's requests, percent.
        public let errorRate: Double
        public let errorsPerSecond: Double
        public let status: ProtocolStatus
        public let requestsSinceStart: UInt64
        public let errorsSinceStart: UInt64
        public let shareSinceStart: Double
    }

    public struct Slice: Encodable, Sendable, Equatable {
        public let name: String
        public let value: UInt64
        public let percent: Double
    }

    public let asOf: TimeStamp?
    public let windowSeconds: Int
    public let requests: UInt64
    public let requestsSinceStart: UInt64
    /// Sorted by name.
    public let protocols: [Entry]
    public let distribution: [Slice]
}
