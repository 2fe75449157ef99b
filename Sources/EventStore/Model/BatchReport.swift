/// Counts of items by priority in a batch.
public struct PriorityCounts: Sendable, Equatable, Hashable, Codable {
    public var high: UInt64
    public var medium: UInt64
    public var low: UInt64

    public init(high: UInt64 = 0, medium: UInt64 = 0, low: UInt64 = 0) {
        self.high = high
        self.medium = medium
        self.low = low
    }
}

/// A batch processed by a dynamic batcher.
public struct BatchReport: Sendable, Equatable, Hashable {
    public var size: UInt64
    public var optimalSize: UInt64?
    public var latencyMs: Double
    public var queueDepth: UInt64
    public var priority: PriorityCounts

    public init(size: UInt64, optimalSize: UInt64? = nil, latencyMs: Double, queueDepth: UInt64, priority: PriorityCounts = PriorityCounts()) {
        self.size = size
        self.optimalSize = optimalSize
        self.latencyMs = latencyMs
        self.queueDepth = queueDepth
        self.priority = priority
    }
}
