import EventStore

/// A queue depth reported with a batch.
public struct QueueDepthSample: Codable, Sendable, Equatable {
    public var timeNs: Int64
    public var depth: UInt64
}

/// The dynamic batcher's figures, from `batch` reports.
public struct BatchMetricsProjection: Projection, Mergeable {
    public static let throughputWindowSeconds = 60
    /// Seconds of batch size and optimal size kept for the page's chart.
    public static let historySeconds = 600
    public static let queueDepthHistoryMax = 10
    /// Fewer recent depths than this say nothing about a trend.
    public static let queueTrendSamplesMin = 3
    static let itemsLane = 0
    static let batchesLane = 1
    static let optimalSumLane = 2
    static let optimalCountLane = 3

    public private(set) var batchCount: UInt64 = 0
    public private(set) var totalItems: UInt64 = 0
    public private(set) var minSize: UInt64?
    public private(set) var maxSize: UInt64?
    public private(set) var latencySumMs: Double = 0
    public private(set) var priorityTotals = PriorityCounts()
    public private(set) var firstBatchNs: Int64?
    /// The latest batch by event time.
    public private(set) var currentSize: UInt64?
    public private(set) var currentNs: Int64?
    public private(set) var queueDepth: UInt64?
    /// The latest optimal size any batch reported.
    public private(set) var optimalSize: UInt64?
    public private(set) var optimalSizeNs: Int64?
    /// Items and batches per second over the last minute of event time.
    public private(set) var recent = SecondBucketRing(capacitySeconds: throughputWindowSeconds, lanes: 2)
    /// The newest queue depths, oldest first.
    public private(set) var recentQueueDepths = BoundedHistory<QueueDepthSample>(capacity: queueDepthHistoryMax)
    /// Per second of the last `historySeconds`: items, batches, optimal sizes reported
    /// and their count, so the chart of size against optimal size draws from the
    /// server at load and at any `?at=`. Nil in checkpoints written before it.
    public private(set) var history: SecondBucketRing?

    public init() {}

    public mutating func apply(_ event: Event, offset: UInt64) {
        guard case .batch(let batch) = event.body else { return }
        let timeNs = event.timeNs
        batchCount += 1
        totalItems += batch.size
        minSize = min(minSize ?? batch.size, batch.size)
        maxSize = max(maxSize ?? batch.size, batch.size)
        latencySumMs += batch.latencyMs
        priorityTotals.high += batch.priority.high
        priorityTotals.medium += batch.priority.medium
        priorityTotals.low += batch.priority.low
        firstBatchNs = min(firstBatchNs ?? timeNs, timeNs)
        recent.add(atNs: timeNs, [Double(batch.size), 1])
        if history == nil { history = SecondBucketRing(capacitySeconds: Self.historySeconds, lanes: 4) }
        history?.add(atNs: timeNs, [Double(batch.size), 1, Double(batch.optimalSize ?? 0), batch.optimalSize == nil ? 0 : 1])
        if let optimal = batch.optimalSize, optimalSizeNs.map({ timeNs >= $0 }) ?? true {
            optimalSize = optimal
            optimalSizeNs = timeNs
        }
        // A late report adds to the totals but does not replace the current figures.
        guard currentNs.map({ timeNs >= $0 }) ?? true else { return }
        currentSize = batch.size
        currentNs = timeNs
        queueDepth = batch.queueDepth
        recentQueueDepths.append(QueueDepthSample(timeNs: timeNs, depth: batch.queueDepth))
    }

    public mutating func merge(_ other: BatchMetricsProjection) {
        batchCount += other.batchCount
        totalItems += other.totalItems
        minSize = [minSize, other.minSize].compactMap { $0 }.min()
        maxSize = [maxSize, other.maxSize].compactMap { $0 }.max()
        latencySumMs += other.latencySumMs
        priorityTotals.high += other.priorityTotals.high
        priorityTotals.medium += other.priorityTotals.medium
        priorityTotals.low += other.priorityTotals.low
        firstBatchNs = [firstBatchNs, other.firstBatchNs].compactMap { $0 }.min()
        recent.merge(other.recent)
        if let theirs = other.history {
            if history == nil { history = theirs } else { history?.merge(theirs) }
        }
        if let theirs = other.optimalSizeNs, optimalSizeNs.map({ (theirs, other.optimalSize ?? 0) > ($0, optimalSize ?? 0) }) ?? true {
            optimalSize = other.optimalSize
            optimalSizeNs = theirs
        }
        if let theirs = other.currentNs, currentNs.map({ (theirs, other.currentSize ?? 0) > ($0, currentSize ?? 0) }) ?? true {
            currentSize = other.currentSize
            currentNs = theirs
            queueDepth = other.queueDepth
        }
        var depths = recentQueueDepths.elements + other.recentQueueDepths.elements
        depths.sort { ($0.timeNs, $0.depth) < ($1.timeNs, $1.depth) }
        recentQueueDepths.replace(withOrdered: depths, extraDropped: other.recentQueueDepths.droppedCount)
    }

    /// The seconds the throughput window covers: the last minute, or less when the
    /// batcher started reporting more recently than that.
    public var throughputWindowCoveredSeconds: Int {
        guard let first = firstBatchNs, let newest = recent.newestSecond else { return 0 }
        let span = newest - SecondBucketRing.second(ofNs: first) + 1
        return Int(min(Int64(Self.throughputWindowSeconds), max(1, span)))
    }

    /// Items per second over the last minute of event time.
    public var throughputPerSecond: Double? {
        let seconds = throughputWindowCoveredSeconds
        guard seconds > 0 else { return nil }
        return recent.sum(lane: Self.itemsLane) / Double(seconds)
    }

    /// Newest queue depth minus the oldest of the recent ones.
    public var queueDepthTrend: Int64? {
        guard recentQueueDepths.count >= Self.queueTrendSamplesMin,
              let first = recentQueueDepths.elements.first, let last = recentQueueDepths.last
        else { return nil }
        return Int64(clamping: last.depth) - Int64(clamping: first.depth)
    }

    /// Growing: the recent depths never fall and end higher than they started.
    public var isQueueGrowing: Bool {
        let depths = recentQueueDepths.elements.map(\.depth)
        guard depths.count >= Self.queueTrendSamplesMin, let first = depths.first, let last = depths.last else { return false }
        return last > first && zip(depths, depths.dropFirst()).allSatisfy { $0 <= $1 }
    }
}
