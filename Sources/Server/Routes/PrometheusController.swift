import EventStore
import Hummingbird
import Projections
import Replication

/// `GET /metrics`: Prometheus text exposition 0.0.4 of the views (health, breakers,
/// caches, latency, throughput, alerts) and of the engine itself.
public struct PrometheusController<Context: RequestContext>: Sendable {
    let reader: any ViewReading
    let metrics: EngineMetrics
    /// The stream this node leads or follows, or each of the streams it follows.
    let replication: [ReplicationStatus]
    let nowNs: @Sendable () -> Int64

    public init(
        reader: any ViewReading, metrics: EngineMetrics, replication: [ReplicationStatus] = [],
        nowNs: @escaping @Sendable () -> Int64 = { EventTime.nowNs() }
    ) {
        self.reader = reader
        self.metrics = metrics
        self.replication = replication
        self.nowNs = nowNs
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/metrics", use: exposition)
    }

    @Sendable func exposition(_ request: Request, context: Context) async throws -> Response {
        let text = render()
        return Response(
            status: .ok, headers: [.contentType: PrometheusExposition.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func render() -> String {
        let snapshot = reader.currentSnapshot()
        if let checkpoint = snapshot.lastCheckpoint { metrics.recordCheckpoint(timeNs: checkpoint.writtenAtNs) }
        var out = PrometheusExposition()
        ViewMetrics.write(snapshot.views, to: &out)
        let log = reader.logInfo()
        out.gauge("tacho_log_next_offset", help: "The offset the next appended event will get.", value: Double(log.nextOffset))
        out.gauge("tacho_log_segments", help: "Segments in the log.", value: Double(log.segmentCount))
        out.gauge("tacho_log_size_bytes", help: "Bytes of the segment files on disk.", value: Double(log.sizeBytes))
        if let ratio = log.compressionRatio {
            out.gauge("tacho_log_compression_ratio", help: "Uncompressed over stored bytes of the log's batches.", value: ratio)
        }
        if let snapshots = log.viewSnapshots {
            out.gauge("tacho_view_snapshots", help: "View snapshots kept along the log for time travel.", value: Double(snapshots.count))
            out.gauge("tacho_view_snapshots_size_bytes", help: "Bytes of the view snapshots' content on disk.", value: Double(snapshots.sizeBytes))
            out.counter(
                "tacho_view_snapshots_loaded_total", help: "View snapshots read back (time travel, recovery) since start.",
                value: Double(snapshots.loaded))
        }
        if let cache = log.queryCache {
            out.gauge("tacho_query_sample_cache_size_bytes", help: "Bytes of decoded metric samples kept for queries.", value: Double(cache.sizeBytes))
            out.counter("tacho_query_sample_cache_hits_total", help: "Batches queries found decoded in memory.", value: Double(cache.hits))
            out.counter("tacho_query_sample_cache_misses_total", help: "Batches queries read from the log's files.", value: Double(cache.misses))
        }
        out.gauge(
            "tacho_views_next_offset", help: "The offset after the last event the views have folded.",
            value: Double(snapshot.nextOffset))
        out.gauge(
            "tacho_views_lag_events", help: "Acknowledged events the views have not folded yet.",
            value: Double(log.nextOffset > snapshot.nextOffset ? log.nextOffset - snapshot.nextOffset : 0))
        out.gauge(
            "tacho_alert_events_waiting", help: "Alert events the rules raised that were not yet appended to the log when the views were last published.",
            value: Double(snapshot.alertsWaiting))
        metrics.write(to: &out, nowNs: nowNs())
        ReplicationMetrics.write(replication.map { $0.snapshot() }, logNextOffset: log.nextOffset, to: &out)
        return out.text
    }
}

/// The views as Prometheus families.
enum ViewMetrics {
    static func write(_ views: ProjectionSet, to out: inout PrometheusExposition) {
        let health = views.healthView()
        if let score = health.score {
            out.gauge("tacho_health_score", help: "Health score, 0 to 100.", value: score)
        }
        out.gauge(
            "tacho_health_component_value", help: "Health score components, 0 to 1; components without data are absent.",
            health.components.compactMap { component in
                component.value.map { .init(labels: [("component", component.name)], value: $0) }
            })
        out.gauge(
            "tacho_health_component_weight", help: "Effective weight of each health component after rescaling.",
            health.components.map { .init(labels: [("component", $0.name)], value: $0.effectiveWeight) })

        let breakers = views.breakers.view(transitionsLimit: 0)
        out.gauge(
            "tacho_circuit_breaker_state", help: "1 for the state each connection's circuit breaker is in, 0 for the others.",
            breakers.breakers.flatMap { breaker in
                BreakerState.allCases.map { state in
                    .init(labels: [("connection", breaker.connectionId), ("state", state.rawValue)], value: breaker.state == state ? 1 : 0)
                }
            })
        out.gauge(
            "tacho_circuit_breakers", help: "Circuit breakers per state.",
            [("CLOSED", breakers.closed), ("OPEN", breakers.open), ("HALF_OPEN", breakers.halfOpen)].map {
                .init(labels: [("state", $0.0)], value: Double($0.1))
            })
        out.gauge(
            "tacho_circuit_breaker_failures", help: "Failures counted by each connection's breaker at its last transition.",
            breakers.breakers.map { .init(labels: [("connection", $0.connectionId)], value: Double(max(0, $0.failures))) })

        let caches = views.caches.view()
        var hitRates: [PrometheusExposition.Sample] = caches.caches.compactMap { cache in
            cache.hitRate.map { .init(labels: [("cache", cache.name)], value: $0) }
        }
        if let total = caches.hitRate { hitRates.append(.init(labels: [("cache", "all")], value: total)) }
        out.gauge("tacho_cache_hit_ratio", help: "Cache hit rate since start, 0 to 1; cache=\"all\" over every cache.", hitRates)
        out.gauge(
            "tacho_cache_size_bytes", help: "Bytes held per cache.",
            caches.caches.map { .init(labels: [("cache", $0.name)], value: Double($0.size)) })
        out.counter(
            "tacho_cache_evictions", help: "Evictions reported per cache.",
            caches.caches.map { .init(labels: [("cache", $0.name)], value: Double($0.evictions)) })

        // Quantiles over the sliding window; _sum and _count cumulative since the log
        // began, as the summary type requires.
        let latency = views.latency.view()
        let window = latency.window
        let sinceStart = latency.sinceStart
        out.summary(
            "tacho_operation_latency_seconds", help: "Operation latency: quantiles over the last 60 s of event time, sum and count since the log began.",
            [.init(
                quantiles: [(0.5, window.p50 / 1000), (0.95, window.p95 / 1000), (0.99, window.p99 / 1000), (0.999, window.p999 / 1000)],
                sum: sinceStart.meanMs * Double(sinceStart.count) / 1000, count: sinceStart.count)])

        let throughput = views.throughput.view()
        out.gauge(
            "tacho_throughput_operations_per_second", help: "Operations in the last complete second of event time.",
            value: throughput.current)
        out.counter("tacho_operations", help: "Operations folded since the log began.", value: Double(throughput.total))
        out.counter("tacho_operation_errors", help: "Failed operations folded since the log began.", value: Double(throughput.errors))
        out.gauge("tacho_operation_error_percent", help: "Failed share of the last 60 s of operations, percent.", value: throughput.errorPercent)

        let alerts = views.alerts.view(limit: 0)
        out.gauge(
            "tacho_alerts_open", help: "Open (active or acknowledged) alerts per severity.",
            AlertSeverity.allCases.map { .init(labels: [("severity", $0.rawValue)], value: Double(alerts.openBySeverity[$0])) })
        out.gauge("tacho_alerts_active", help: "Alerts raised and not acknowledged or resolved.", value: Double(alerts.activeCount))
        out.gauge("tacho_alerts_acknowledged", help: "Alerts acknowledged and not resolved.", value: Double(alerts.acknowledgedCount))
        out.counter(
            "tacho_alerts_raised", help: "Alert raises seen, per severity.",
            AlertSeverity.allCases.map { .init(labels: [("severity", $0.rawValue)], value: Double(alerts.raisedBySeverity[$0])) })
    }
}
