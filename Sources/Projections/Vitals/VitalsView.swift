/// `/api/v1/system/cpu`: `total` (also as the old `totalUtilization`), `cores[]`
/// sorted by core number, `loadAverage` as `[1m, 5m, 15m]`, and a 60 s history.
public struct CPUView: Encodable, Sendable, Equatable {
    public struct Core: Encodable, Sendable, Equatable {
        public let core: Int
        public let utilization: Double
    }

    public struct Load: Encodable, Sendable, Equatable {
        public let oneMinute: Double?
        public let fiveMinutes: Double?
        public let fifteenMinutes: Double?
    }

    public struct Point: Encodable, Sendable, Equatable {
        public let timeNs: Int64
        public let time: String
        public let total: Double
    }

    /// When the newest CPU reading was taken.
    public let asOf: TimeStamp?
    /// Percent, nil before the first `cpu_percent{core="total"}`.
    public let total: Double?
    public let totalUtilization: Double?
    public let cores: [Core]
    /// `[1m, 5m, 15m]` when all three are known, else empty.
    public let loadAverage: [Double]
    public let load: Load
    /// Seconds with a total CPU reading, oldest first.
    public let history: [Point]
}

/// `/api/v1/system/memory`: bytes as the old dashboards name them (`total`, `used`,
/// `available`, `buffers`, `cached`, `swapUsed`, `bufferCache`), each nil until
/// first reported, with percentages of `total`.
public struct MemoryView: Encodable, Sendable, Equatable {
    public struct Point: Encodable, Sendable, Equatable {
        public let timeNs: Int64
        public let time: String
        public let used: Double
        /// nil when the total was not known in that second or before.
        public let usedPercent: Double?
    }

    public let asOf: TimeStamp?
    public let total: Double?
    public let used: Double?
    public let available: Double?
    public let buffers: Double?
    public let cached: Double?
    public let swapUsed: Double?
    /// buffers + cached, when both are known.
    public let bufferCache: Double?
    public let usedPercent: Double?
    public let availablePercent: Double?
    public let buffersPercent: Double?
    public let cachedPercent: Double?
    public let history: [Point]
}
