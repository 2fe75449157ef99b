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
    public var protocols = ProtocolsProjection()
    public var vitals = VitalsProjection()
    /// Rollups of every metric series. Not merged: series of two shards are disjoint
    /// only by convention, and a rollup tier cannot be split back apart.
    public var series = SeriesProjection()

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

    public mutating func apply(_ event: Event, offset: UInt64) {
        assert(lastOffset.map { offset > $0 } ?? true, "offsets must increase: \(offset) after \(lastOffset ?? 0)")
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
        protocols.apply(event, offset: offset)
        vitals.apply(event, offset: offset)
        series.apply(event, offset: offset)
        lastOffset = offset
        lastEventTimeNs = max(lastEventTimeNs ?? event.timeNs, event.timeNs)
        eventCount += 1
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
        protocols.merge(other.protocols)
        vitals.merge(other.vitals)
        lastOffset = [lastOffset, other.lastOffset].compactMap { $0 }.max()
        lastEventTimeNs = [lastEventTimeNs, other.lastEventTimeNs].compactMap { $0 }.max()
        eventCount += other.eventCount
    }
}
