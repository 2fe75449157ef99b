import EventStore

/// Tacho's own figures as PromQL series: every operation, breaker transition, cache
/// report and connection report read as the samples it stands for, at its event
/// time, beside the `metric` events. Names start with `tacho_` (a prefix ingest
/// leaves to these): Grafana and rules query latency, errors, breakers and caches
/// with PromQL's functions over them, e.g.
/// `quantile_over_time(0.99, tacho_operation_duration_milliseconds{operation="GET /orders"}[5m])`,
/// `sum by (operation) (count_over_time(tacho_operation_duration_milliseconds{ok="false"}[1m]))`,
/// `tacho_breaker_state == 1`.
enum EventSeries {
    static let operationDuration = "tacho_operation_duration_milliseconds"
    static let breakerState = "tacho_breaker_state"
    static let breakerFailures = "tacho_breaker_failures"
    static let cacheHits = "tacho_cache_hits"
    static let cacheMisses = "tacho_cache_misses"
    static let cacheEvictions = "tacho_cache_evictions"
    static let cacheSize = "tacho_cache_size_bytes"
    static let cacheEntries = "tacho_cache_entries"
    static let connectionLoad = "tacho_connection_load"
    static let connectionTps = "tacho_connection_tps"
    static let connectionLatency = "tacho_connection_latency_milliseconds"

    /// The names of these series.
    static let names: Set<String> = [
        operationDuration, breakerState, breakerFailures, cacheHits, cacheMisses, cacheEvictions, cacheSize, cacheEntries,
        connectionLoad, connectionTps, connectionLatency,
    ]

    /// Whether a query selecting `matchers`' names can need these series: not when its
    /// name is fixed to another (most queries, and Tacho's own recorded metrics such as
    /// `tacho_health_score`), so the common scan builds none and uses the series index.
    static func mayMatch(metricName: String?) -> Bool {
        guard let metricName else { return true }
        return names.contains(metricName)
    }

    /// The samples `event` stands for (none for `metric` events and the other types).
    static func samples(of event: Event, _ visit: (MetricSample) throws -> Void) rethrows {
        switch event.body {
        case .op(let operation):
            var labels = ["operation": operation.name, "ok": operation.ok ? "true" : "false"]
            if let proto = operation.protocol { labels["protocol"] = proto }
            try visit(MetricSample(name: operationDuration, labels: labels, value: operation.durationMs))
        case .breaker(let transition):
            let labels = ["connection": transition.connection]
            try visit(MetricSample(name: breakerState, labels: labels, value: Double(transition.to.code)))
            try visit(MetricSample(name: breakerFailures, labels: labels, value: Double(transition.failures)))
        case .cache(let report):
            let labels = ["cache": report.cache]
            try visit(MetricSample(name: cacheHits, labels: labels, value: Double(report.hits)))
            try visit(MetricSample(name: cacheMisses, labels: labels, value: Double(report.misses)))
            try visit(MetricSample(name: cacheEvictions, labels: labels, value: Double(report.evictions)))
            try visit(MetricSample(name: cacheSize, labels: labels, value: Double(report.sizeBytes)))
            try visit(MetricSample(name: cacheEntries, labels: labels, value: Double(report.entries)))
        case .connection(let report):
            let labels = ["connection": report.connection]
            try visit(MetricSample(name: connectionLoad, labels: labels, value: report.load))
            try visit(MetricSample(name: connectionTps, labels: labels, value: report.tps))
            try visit(MetricSample(name: connectionLatency, labels: labels, value: report.latencyMs))
        default:
            break
        }
    }
}
