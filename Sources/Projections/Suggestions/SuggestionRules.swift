import EventStore

/// Rule-based recommendations derived from the other projections' states.
public enum SuggestionRules {
    public static let cacheHitRateLowBelow = 0.6
    public static let cacheHitRateHighPriorityBelow = 0.3
    public static let cacheTTLMultiplierStep = 1.5
    public static let cacheTTLMultiplierMax = 10.0
    /// A batch smaller than this share of the optimal size is below optimal.
    public static let batchBelowOptimalShare = 0.8
    public static let batchSizeStep = 1.25
    public static let flappingWindowNs: Int64 = 300_000_000_000
    public static let flappingTransitionsMin = 4
    public static let maxConcurrentOpsStep = 0.75

    public static let cacheRuleId = "cache-hit-rate-low"
    public static let batchRuleId = "batch-size-below-optimal"
    public static let flappingRuleId = "breaker-flapping"

    /// - Parameter nowNs: the end of the flapping window; by default the latest
    ///   breaker transition seen.
    public static func suggestions(
        optimization: OptimizationProjection, caches: CacheStatsProjection, batching: BatchMetricsProjection,
        breakers: CircuitBreakersProjection, nowNs: Int64? = nil
    ) -> SuggestionsView {
        let current = optimization.current
        var found: [Suggestion] = []
        if let suggestion = cacheRule(caches, current) { found.append(suggestion) }
        if let suggestion = batchRule(batching, current) { found.append(suggestion) }
        let end = nowNs ?? breakers.connections.values.compactMap(\.lastTransitionNs).max()
        if let end, let suggestion = flappingRule(breakers, current, endNs: end) { found.append(suggestion) }
        found.sort { ($0.priority, $0.id) < ($1.priority, $1.id) }
        return SuggestionsView(suggestions: found, asOf: ViewTime.text(nowNs), asOfNs: nowNs)
    }

    private static func change(
        _ current: OptimizationRecord?, reason: String, _ edit: (inout OptimizationParams) -> Void
    ) -> SuggestedChange? {
        guard let current else { return nil }
        var params = current.params
        edit(&params)
        guard params != current.params else { return nil }
        return SuggestedChange(mode: .manual, efficiency: current.efficiency, params: params, reason: reason)
    }

    static func cacheRule(_ caches: CacheStatsProjection, _ current: OptimizationRecord?) -> Suggestion? {
        guard let rate = caches.totalHitRateLastMinute ?? caches.totalHitRate, rate < cacheHitRateLowBelow else { return nil }
        let proposed = change(current, reason: "suggestion \(cacheRuleId): cache hit rate \(percent(rate))") {
            $0.cacheTTLMultiplier = min($0.cacheTTLMultiplier * cacheTTLMultiplierStep, cacheTTLMultiplierMax)
        }
        return Suggestion(
            id: cacheRuleId, type: "cache",
            priority: rate < cacheHitRateHighPriorityBelow ? .high : .medium,
            title: "Low cache hit rate",
            description: "Caches answer \(percent(rate)) of lookups (below \(percent(cacheHitRateLowBelow))); keeping entries longer should raise it.",
            action: proposed.map { "Raise cacheTTLMultiplier to \(number($0.params.cacheTTLMultiplier))" },
            change: proposed)
    }

    static func batchRule(_ batching: BatchMetricsProjection, _ current: OptimizationRecord?) -> Suggestion? {
        let growing = batching.isQueueGrowing
        var belowOptimal = false
        if let size = batching.currentSize, let optimal = batching.optimalSize {
            belowOptimal = Double(size) < Double(optimal) * batchBelowOptimalShare
        }
        guard growing || belowOptimal else { return nil }
        let optimal = Double(batching.optimalSize ?? 0)
        let proposed = change(current, reason: "suggestion \(batchRuleId)") {
            let stepped = growing ? ($0.batchSize * batchSizeStep).rounded(.up) : $0.batchSize
            $0.batchSize = max(stepped, belowOptimal ? optimal : 0, $0.batchSize)
        }
        var reasons: [String] = []
        if belowOptimal, let size = batching.currentSize { reasons.append("batches of \(size) are below the optimal \(Int(optimal))") }
        if growing, let depth = batching.queueDepth { reasons.append("the queue keeps growing (now \(depth))") }
        return Suggestion(
            id: batchRuleId, type: "batching", priority: growing && belowOptimal ? .high : .medium,
            title: "Batch size below what the load needs",
            description: "Larger batches should keep up: " + reasons.joined(separator: " and ") + ".",
            action: proposed.map { "Raise batchSize to \(number($0.params.batchSize))" },
            change: proposed)
    }

    static func flappingRule(_ breakers: CircuitBreakersProjection, _ current: OptimizationRecord?, endNs: Int64) -> Suggestion? {
        let startNs = endNs - flappingWindowNs
        let flapping = breakers.connections.entries.filter { _, record in
            record.transitions.elements.count { $0.timeNs > startNs && $0.timeNs <= endNs } >= flappingTransitionsMin
        }.map(\.0)
        guard !flapping.isEmpty else { return nil }
        let proposed = change(current, reason: "suggestion \(flappingRuleId): \(flapping.joined(separator: ", "))") {
            $0.maxConcurrentOps = max(1, ($0.maxConcurrentOps * maxConcurrentOpsStep).rounded(.down))
        }
        return Suggestion(
            id: flappingRuleId, type: "resilience", priority: .high,
            title: "Circuit breakers flapping",
            description: "\(flapping.joined(separator: ", ")) changed state \(flappingTransitionsMin) or more times in \(flappingWindowNs / 60_000_000_000) minutes; fewer concurrent operations should let them settle.",
            action: proposed.map { "Lower maxConcurrentOps to \(number($0.params.maxConcurrentOps))" },
            change: proposed)
    }

    private static func percent(_ rate: Double) -> String {
        "\(Int((rate * 100).rounded())) %"
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
