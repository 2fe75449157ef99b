import EventStore

/// `GET /api/v1/performance/batch/metrics`.
public struct BatchMetricsView: Encodable, Sendable, Equatable {
    public struct PriorityShares: Encodable, Sendable, Equatable {
        public var high: Double
        public var medium: Double
        public var low: Double
    }

    public var currentSize: UInt64?
    public var avgSize: Double?
    public var minSize: UInt64?
    public var maxSize: UInt64?
    public var optimalSize: UInt64?
    /// Items per second over the last minute of event time.
    public var throughput: Double?
    public var throughputWindowSeconds: Int
    public var avgLatencyMs: Double?
    public var queueDepth: UInt64?
    /// Newest minus oldest of the last few reported depths.
    public var queueDepthTrend: Int64?
    public var queueGrowing: Bool
    /// Item totals per priority over the whole run.
    public var priorityDistribution: PriorityCounts
    /// The same as fractions of all prioritised items; nil before any.
    public var priorityShares: PriorityShares?
    public var batches: UInt64
    public var totalItems: UInt64
    public var lastBatch: String?
    public var lastBatchNs: Int64?
    /// Each second with batches in the last ten minutes of event time, oldest first.
    public var history: [Second]

    public struct Second: Encodable, Sendable, Equatable {
        public var time: String
        public var timeNs: Int64
        /// The mean size of the second's batches.
        public var size: Double
        public var batches: UInt64
        /// The mean optimal size they reported; nil when none did.
        public var optimalSize: Double?
    }
}

extension BatchMetricsProjection {
    public func view() -> BatchMetricsView {
        let counts = priorityTotals
        let prioritised = Double(counts.high) + Double(counts.medium) + Double(counts.low)
        let shares = prioritised > 0
            ? BatchMetricsView.PriorityShares(
                high: Double(counts.high) / prioritised, medium: Double(counts.medium) / prioritised,
                low: Double(counts.low) / prioritised)
            : nil
        let batches = Double(batchCount)
        return BatchMetricsView(
            currentSize: currentSize, avgSize: batchCount > 0 ? Double(totalItems) / batches : nil,
            minSize: minSize, maxSize: maxSize, optimalSize: optimalSize, throughput: throughputPerSecond,
            throughputWindowSeconds: throughputWindowCoveredSeconds,
            avgLatencyMs: batchCount > 0 ? latencySumMs / batches : nil, queueDepth: queueDepth,
            queueDepthTrend: queueDepthTrend, queueGrowing: isQueueGrowing, priorityDistribution: counts,
            priorityShares: shares, batches: batchCount, totalItems: totalItems,
            lastBatch: ViewTime.text(currentNs), lastBatchNs: currentNs,
            history: (history?.seconds() ?? []).map { second, sums in
                let lanes = Array(sums)
                let timeNs = second * 1_000_000_000
                return BatchMetricsView.Second(
                    time: EventTime.formatRFC3339(timeNs), timeNs: timeNs, size: lanes[Self.itemsLane] / max(1, lanes[Self.batchesLane]),
                    batches: UInt64(lanes[Self.batchesLane]),
                    optimalSize: lanes[Self.optimalCountLane] > 0 ? lanes[Self.optimalSumLane] / lanes[Self.optimalCountLane] : nil)
            })
    }
}
