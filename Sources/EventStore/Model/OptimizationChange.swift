public enum OptimizationMode: String, Sendable, Codable, CaseIterable {
    case auto
    case manual
}

/// The tunable parameters an optimizer changes.
public struct OptimizationParams: Sendable, Equatable, Hashable, Codable {
    public var batchSize: Double
    public var batchTimeoutMs: Double
    public var cacheTTLMultiplier: Double
    public var maxConcurrentOps: Double

    public init(batchSize: Double, batchTimeoutMs: Double, cacheTTLMultiplier: Double, maxConcurrentOps: Double) {
        self.batchSize = batchSize
        self.batchTimeoutMs = batchTimeoutMs
        self.cacheTTLMultiplier = cacheTTLMultiplier
        self.maxConcurrentOps = maxConcurrentOps
    }
}

/// The optimizer changed parameters.
public struct OptimizationChange: Sendable, Equatable, Hashable {
    public var mode: OptimizationMode
    /// 0–1.
    public var efficiency: Double
    public var params: OptimizationParams
    public var reason: String?

    public init(mode: OptimizationMode, efficiency: Double, params: OptimizationParams, reason: String? = nil) {
        self.mode = mode
        self.efficiency = efficiency
        self.params = params
        self.reason = reason
    }
}
