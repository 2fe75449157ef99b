import EventStore

/// Every projection folded together: one `apply` per event for all of them, and one
/// `Codable` value that a checkpoint stores whole.
public struct ProjectionSet: Projection, Mergeable {
    public var breakers = CircuitBreakersProjection()
    public var topology = TopologyProjection()
    public var faultTolerance = FaultToleranceProjection()
    public var alerts = AlertsProjection()
    public var optimization = OptimizationProjection()
    public var batching = BatchMetricsProjection()
    public var caches = CacheStatsProjection()
    public var health = HealthProjection()
    public var throughput = ThroughputProjection()
    public var latency = LatencyProjection()
    public var vitals = VitalsProjection()
    /// Rollups of every metric series. Shards' series are disjoint (sources split by
    /// label): merging takes their union (see `SeriesProjection.merge`). Live only:
    /// left out of view snapshots and `?at=` answers (`omitLiveOnlyParts()`).
    public var series = SeriesProjection()
    /// Latency bands and per-operation and per-protocol counts over 1 h, 24 h and 7 d.
    /// Absent from checkpoints written before it existed: those load with it empty,
    /// so it then covers the events after the checkpoint (see `init(from:)`).
    public var heatmap = HeatmapProjection()

    /// The offset of the last event applied; nil before any.
    public private(set) var lastOffset: UInt64?
    /// The latest event time applied; nil before any.
    public private(set) var lastEventTimeNs: Int64?
    public private(set) var eventCount: UInt64 = 0

    public init() {}

    /// - Parameter expectedCollectionIntervalNs: the fault-tolerance view's expected interval between samples.
    public init(expectedCollectionIntervalNs: Int64) {
        faultTolerance = FaultToleranceProjection(expectedIntervalNs: expectedCollectionIntervalNs)
    }

    /// View snapshots and `?at=` answers of a state with more than
    /// `SeriesProjection.seriesKeptInSnapshotsMax` series hold no series rollups but
    /// those other views read (`SeriesProjection.namesKeptByViews`): they are most of a
    /// metric-heavy state (10,000 series made every snapshot megabytes and its encoding
    /// the host's bottleneck), and a past moment's rollups are then read from the log.
    public mutating func omitLiveOnlyParts() {
        if !series.isOmitted, series.seriesCount > SeriesProjection.seriesKeptInSnapshotsMax { series = series.omitted() }
    }

    /// Recovery from a view snapshot: the rollups it left out start empty and cover the events after it.
    public mutating func restartLiveOnlyParts() {
        series = series.restarted()
    }

    public mutating func apply(_ event: Event, offset: UInt64) {
        assert(lastOffset.map { offset > $0 } ?? true, "offsets must increase: \(offset) after \(lastOffset ?? 0)")
        if case .op(let op) = event.body {
            // Most events are operations (97 % of the demo's) and four projections read
            // them: the type is matched once here, not once in each of thirteen. The
            // others ignore operations (`ProjectionSetTests` checks the two ways agree).
            health.apply(op, timeNs: event.timeNs)
            throughput.record(timeNs: event.timeNs, ok: op.ok)
            latency.apply(op, timeNs: event.timeNs)
            heatmap.apply(op, timeNs: event.timeNs)
        } else {
            applyToEach(event, offset: offset)
        }
        lastOffset = offset
        lastEventTimeNs = max(lastEventTimeNs ?? event.timeNs, event.timeNs)
        eventCount += 1
    }

    /// Every projection's own `apply`: what `apply` does, operations included.
    mutating func applyToEach(_ event: Event, offset: UInt64) {
        breakers.apply(event, offset: offset)
        topology.apply(event, offset: offset)
        faultTolerance.apply(event, offset: offset)
        alerts.apply(event, offset: offset)
        optimization.apply(event, offset: offset)
        batching.apply(event, offset: offset)
        caches.apply(event, offset: offset)
        health.apply(event, offset: offset)
        throughput.apply(event, offset: offset)
        latency.apply(event, offset: offset)
        vitals.apply(event, offset: offset)
        series.apply(event, offset: offset)
        heatmap.apply(event, offset: offset)
    }

    /// Combines a set folded over another shard of sources. `lastOffset` keeps the
    /// larger, which only means something when the shards share one log.
    public mutating func merge(_ other: ProjectionSet) {
        breakers.merge(other.breakers)
        topology.merge(other.topology)
        faultTolerance.merge(other.faultTolerance)
        alerts.merge(other.alerts)
        optimization.merge(other.optimization)
        batching.merge(other.batching)
        caches.merge(other.caches)
        health.merge(other.health)
        throughput.merge(other.throughput)
        latency.merge(other.latency)
        vitals.merge(other.vitals)
        series.merge(other.series)
        heatmap.merge(other.heatmap)
        lastOffset = [lastOffset, other.lastOffset].compactMap { $0 }.max()
        lastEventTimeNs = [lastEventTimeNs, other.lastEventTimeNs].compactMap { $0 }.max()
        eventCount += other.eventCount
    }
}

extension ProjectionSet {
    private enum CodingKeys: String, CodingKey {
        case breakers, topology, faultTolerance, alerts, optimization, batching, caches, health
        case throughput, latency, vitals, series, heatmap
        case lastOffset, lastEventTimeNs, eventCount
    }

    /// Reads every checkpoint written so far: projections added after a checkpoint was
    /// written (`heatmap`) start empty when it lacks them, rather than making the host
    /// refuse it and replay the whole log. The `protocols` entry of older checkpoints is
    /// not read: that view comes from `latency` (`LatencyProjection.protocolsView`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        breakers = try c.decode(CircuitBreakersProjection.self, forKey: .breakers)
        topology = try c.decode(TopologyProjection.self, forKey: .topology)
        faultTolerance = try c.decode(FaultToleranceProjection.self, forKey: .faultTolerance)
        alerts = try c.decode(AlertsProjection.self, forKey: .alerts)
        optimization = try c.decode(OptimizationProjection.self, forKey: .optimization)
        batching = try c.decode(BatchMetricsProjection.self, forKey: .batching)
        caches = try c.decode(CacheStatsProjection.self, forKey: .caches)
        health = try c.decode(HealthProjection.self, forKey: .health)
        throughput = try c.decode(ThroughputProjection.self, forKey: .throughput)
        latency = try c.decode(LatencyProjection.self, forKey: .latency)
        vitals = try c.decode(VitalsProjection.self, forKey: .vitals)
        series = try c.decode(SeriesProjection.self, forKey: .series).retained(.live)
        heatmap = try c.decodeIfPresent(HeatmapProjection.self, forKey: .heatmap) ?? HeatmapProjection()
        lastOffset = try c.decodeIfPresent(UInt64.self, forKey: .lastOffset)
        lastEventTimeNs = try c.decodeIfPresent(Int64.self, forKey: .lastEventTimeNs)
        eventCount = try c.decode(UInt64.self, forKey: .eventCount)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(breakers, forKey: .breakers)
        try c.encode(topology, forKey: .topology)
        try c.encode(faultTolerance, forKey: .faultTolerance)
        try c.encode(alerts, forKey: .alerts)
        try c.encode(optimization, forKey: .optimization)
        try c.encode(batching, forKey: .batching)
        try c.encode(caches, forKey: .caches)
        try c.encode(health, forKey: .health)
        try c.encode(throughput, forKey: .throughput)
        try c.encode(latency, forKey: .latency)
        try c.encode(vitals, forKey: .vitals)
        try c.encode(series, forKey: .series)
        try c.encode(heatmap, forKey: .heatmap)
        try c.encodeIfPresent(lastOffset, forKey: .lastOffset)
        try c.encodeIfPresent(lastEventTimeNs, forKey: .lastEventTimeNs)
        try c.encode(eventCount, forKey: .eventCount)
    }
}
