import EventStore
import Projections
import Runtime

/// The live stream's named messages, built from one snapshot of the views. Every
/// message built from a snapshot carries its offset as `id:`.
enum StreamMessages {
    /// Alerts the stream compares between updates to find the ones that changed.
    static let alertsTrackedMax = 500

    /// Which named events an event type can change (`alert` is handled by diffing).
    static func names(for types: Set<EventType>) -> [String] {
        var names: [String] = []
        if !types.isEmpty { names.append(SSEEventName.health) }
        if !types.isDisjoint(with: [.breaker, .connection]) {
            names.append(SSEEventName.circuitBreaker)
            names.append(SSEEventName.topology)
        }
        if types.contains(.optimization) { names.append(SSEEventName.optimization) }
        if types.contains(.cache) { names.append(SSEEventName.cacheStats) }
        if types.contains(.batch) { names.append(SSEEventName.batchMetrics) }
        return names
    }

    static let alertTypes: Set<EventType> = [.alert, .alertAck, .alertResolve]

    /// The event types that stand for what differs between two states of the views,
    /// for feeds whose updates do not say (merged shards): `names(for:)` of the result
    /// names the messages to send.
    static func changedTypes(from old: ProjectionSet, to new: ProjectionSet) -> Set<EventType> {
        var types = Set<EventType>()
        if new.eventCount != old.eventCount || new.lastEventTimeNs != old.lastEventTimeNs { types.insert(.metric) }
        if new.breakers != old.breakers || new.topology != old.topology { types.insert(.breaker) }
        if new.optimization != old.optimization { types.insert(.optimization) }
        if new.caches != old.caches { types.insert(.cache) }
        if new.batching != old.batching { types.insert(.batch) }
        if new.alerts != old.alerts { types.insert(.alert) }
        return types
    }

    /// The message named `name` with the view it carries.
    static func view(_ name: String, _ snapshot: EngineSnapshot<ProjectionSet>) throws -> SSEMessage {
        let views = snapshot.views
        let data: String = switch name {
        case SSEEventName.health: try JSONResponse.encodeString(views.healthView())
        case SSEEventName.circuitBreaker: try JSONResponse.encodeString(views.breakers.view())
        case SSEEventName.topology: try JSONResponse.encodeString(views.topologyView())
        case SSEEventName.optimization: try JSONResponse.encodeString(views.optimization.view())
        case SSEEventName.cacheStats: try JSONResponse.encodeString(views.caches.view())
        case SSEEventName.batchMetrics: try JSONResponse.encodeString(views.batching.view())
        default: preconditionFailure("no view for stream event \(name)")
        }
        return SSEMessage(event: name, id: snapshot.offset, data: data)
    }

    static func alert(_ alert: AlertsView.Alert, offset: UInt64?) throws -> SSEMessage {
        SSEMessage(event: SSEEventName.alert, id: offset, data: try JSONResponse.encodeString(alert))
    }

    /// The periodic `metrics` summary: each member in the shape of its read endpoint,
    /// with throughput's per-minute history left out (the chart's timeline stays).
    static func metrics(_ snapshot: EngineSnapshot<ProjectionSet>, nowNs: Int64) throws -> SSEMessage {
        let views = snapshot.views
        let topology = views.topologyView()
        let summary = MetricsSummary(
            time: EventTime.formatRFC3339(snapshot.eventTimeNs ?? nowNs), timeNs: snapshot.eventTimeNs ?? nowNs,
            offset: snapshot.offset,
            rps: RPSSummary(views.throughput.view()), latency: LatencySummary(views.latency.view()),
            cpu: views.vitals.cpuView(), memory: views.vitals.memoryView(), protocols: views.latency.protocolsView(),
            health: views.healthView(),
            activeConnections: topology.connections.filter { $0.circuitState != .open }.count,
            connections: views.connectionMetricsView())
        return SSEMessage(event: SSEEventName.metrics, id: snapshot.offset, data: try JSONResponse.encodeString(summary))
    }

    /// `reset`: every view, keyed as the dashboard's snapshot reader expects.
    static func reset(_ snapshot: EngineSnapshot<ProjectionSet>, reason: String) throws -> SSEMessage {
        let views = snapshot.views
        let checkpoint = snapshot.lastCheckpoint
        let all = ResetSnapshot(
            reason: reason, offset: snapshot.offset,
            health: views.healthView(),
            faultTolerance: views.faultToleranceView(lastCheckpointOffset: checkpoint?.nextOffset, lastCheckpointTimeNs: checkpoint?.writtenAtNs),
            breakers: views.breakers.view(), alerts: views.alerts.view(limit: alertsTrackedMax),
            optimization: views.optimization.view(), batch: views.batching.view(), cache: views.caches.view(),
            suggestions: views.suggestionsView(), topology: views.topologyView(), rps: views.throughput.view(),
            latency: views.latency.view(), protocols: views.latency.protocolsView(), cpu: views.vitals.cpuView(),
            memory: views.vitals.memoryView())
        return SSEMessage(event: SSEEventName.reset, id: snapshot.offset, data: try JSONResponse.encodeString(all))
    }
}

struct RPSSummary: Encodable {
    let asOf: TimeStamp?
    let current: Double
    let average: Double
    let peak: Double
    let total: UInt64
    let errorPercent: Double
    let trend: ThroughputView.Trend
    let timeline: [ThroughputView.Point]

    init(_ view: ThroughputView) {
        asOf = view.asOf
        current = view.current
        average = view.average
        peak = view.peak
        total = view.total
        errorPercent = view.errorPercent
        trend = view.trend
        timeline = view.timeline
    }
}

/// The latency view's members the page draws, in the view's own shape (the window's
/// count and mean under `window`), without the per-operation and per-protocol tables.
struct LatencySummary: Encodable {
    struct Window: Encodable {
        let count: UInt64
        let meanMs: Double
    }

    let asOf: TimeStamp?
    let windowSeconds: Int
    let window: Window
    let p50: Double
    let p95: Double
    let p99: Double
    let p999: Double
    let distribution: [LatencyView.DistributionBucket]

    init(_ view: LatencyView) {
        asOf = view.asOf
        windowSeconds = view.windowSeconds
        window = Window(count: view.window.count, meanMs: view.window.meanMs)
        p50 = view.p50
        p95 = view.p95
        p99 = view.p99
        p999 = view.p999
        distribution = view.distribution
    }
}

struct MetricsSummary: Encodable {
    let time: String
    let timeNs: Int64
    let offset: UInt64?
    let rps: RPSSummary
    let latency: LatencySummary
    let cpu: CPUView
    let memory: MemoryView
    let protocols: ProtocolsView
    let health: HealthView
    let activeConnections: Int
    /// `/api/v1/connections/metrics` as of the summary's snapshot.
    let connections: ConnectionMetricsView
}

struct ResetSnapshot: Encodable {
    let reason: String
    let offset: UInt64?
    let health: HealthView
    let faultTolerance: FaultToleranceView
    let breakers: CircuitBreakersView
    let alerts: AlertsView
    let optimization: OptimizationView
    let batch: BatchMetricsView
    let cache: CacheStatsView
    let suggestions: SuggestionsView
    let topology: TopologyView
    let rps: ThroughputView
    let latency: LatencyView
    let protocols: ProtocolsView
    let cpu: CPUView
    let memory: MemoryView
}
