/// The offline report of a range of a log: what `tacho analyze` prints. A pure value,
/// `Codable` with only sorted or keyed collections, so the same events always encode
/// to the same JSON (the fixtures' golden files depend on it).
public struct AnalysisReport: Codable, Sendable, Equatable {
    public var range: AnalysisRange
    /// Events by JSON type name.
    public var eventCounts: [String: UInt64]
    public var throughput: ThroughputSummary
    public var latency: LatencyReport
    public var errors: ErrorSummary
    /// By connection.
    public var breakers: [String: BreakerSummary]
    public var alerts: AlertsSummary
    public var cache: CacheSummary
    public var optimizations: [OptimizationStep]
    public var health: HealthSummary
    /// Plain-language observations, in time order.
    public var findings: [String]
}

public struct AnalysisRange: Codable, Sendable, Equatable {
    public var events: UInt64
    public var firstOffset: UInt64?
    public var lastOffset: UInt64?
    public var firstEventNs: Int64?
    public var lastEventNs: Int64?
    public var first: String?
    public var last: String?
    /// Whole event-time seconds spanned, first to last inclusive.
    public var seconds: Int64
}

public struct ThroughputSummary: Codable, Sendable, Equatable {
    public var operations: UInt64
    /// Operations per second over every second of the range, idle ones included.
    public var meanPerSecond: Double
    public var peakPerSecond: UInt64
    public var peakAt: String?
    public var lowestPerSecond: UInt64
    public var lowestAt: String?
}

public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: UInt64
    public var meanMs: Double
    public var p50Ms: Double
    public var p95Ms: Double
    public var p99Ms: Double
    public var p999Ms: Double
    public var maxMs: Double
}

public struct LatencyReport: Codable, Sendable, Equatable {
    public var overall: LatencySummary
    public var byOperation: [String: LatencySummary]
    public var byProtocol: [String: LatencySummary]
    /// p99 per event-time minute.
    public var perMinute: [MinutePoint]
}

/// One value of a per-minute timeline; `minute` is the minute's start (RFC 3339).
public struct MinutePoint: Codable, Sendable, Equatable {
    public var minute: String
    public var minuteNs: Int64
    public var value: Double
}

public struct ErrorSummary: Codable, Sendable, Equatable {
    public var operations: UInt64
    public var failed: UInt64
    public var errorPercent: Double
    public var worstMinute: WorstMinute?

    public struct WorstMinute: Codable, Sendable, Equatable {
        public var minute: String
        public var operations: UInt64
        public var failed: UInt64
        public var errorPercent: Double
    }
}

public struct BreakerSummary: Codable, Sendable, Equatable {
    public var transitions: UInt64
    public var opened: UInt64
    /// Seconds spent OPEN within the range (an interval still open ends at the range's end).
    public var openSeconds: Double
    public var openIntervals: [OpenInterval]

    public struct OpenInterval: Codable, Sendable, Equatable {
        public var from: String
        public var fromNs: Int64
        /// nil: still open at the end of the range.
        public var to: String?
        public var seconds: Double
    }
}

public struct AlertsSummary: Codable, Sendable, Equatable {
    public var raised: UInt64
    public var acknowledged: UInt64
    public var resolved: UInt64
    public var meanSecondsToAcknowledge: Double?
    public var meanSecondsToResolve: Double?
    /// In the order raised.
    public var alerts: [AlertLife]

    public struct AlertLife: Codable, Sendable, Equatable {
        public var id: String
        public var kind: String
        public var severity: String
        public var connection: String?
        public var raised: String
        public var raisedNs: Int64
        public var secondsToAcknowledge: Double?
        public var secondsToResolve: Double?
    }
}

public struct CacheSummary: Codable, Sendable, Equatable {
    public var hits: UInt64
    public var misses: UInt64
    /// Hits over lookups in the range, from the cumulative counters' increases; nil without lookups.
    public var hitRate: Double?
    public var perMinute: [MinutePoint]
}

public struct OptimizationStep: Codable, Sendable, Equatable {
    public var at: String
    public var mode: String
    public var reason: String?
    /// The efficiency reported by the previous change (nil for the first in the range).
    public var efficiencyBefore: Double?
    public var efficiencyAfter: Double
    public var batchSize: Double
    public var batchTimeoutMs: Double
    public var cacheTTLMultiplier: Double
    public var maxConcurrentOps: Double
}

public struct HealthSummary: Codable, Sendable, Equatable {
    /// The health score at the end of each event-time minute.
    public var perMinute: [MinutePoint]
    public var min: MinutePoint?
    public var max: MinutePoint?
    /// Each change of status between consecutive samples.
    public var statusChanges: [StatusChange]

    public struct StatusChange: Codable, Sendable, Equatable {
        public var minute: String
        public var from: String
        public var to: String
    }
}
