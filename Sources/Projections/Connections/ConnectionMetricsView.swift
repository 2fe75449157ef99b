import EventStore

/// `GET /api/v1/connections/metrics`: active and idle connections, the rate at which
/// new ones open, and a health status, from two sources that add up:
///
/// - `connection` reports: a connection reported within the last `reportFreshSeconds`
///   is active when its last report shows traffic (`tps` or `load` above 0) and idle
///   otherwise; one first reported within the window counts as opened; its health is
///   that of `/api/v1/fault-tolerance/status` (breaker state and parse rate).
/// - the optional `http_connections` family services can send as `metric` events:
///   gauges `http_connections{state="active"}` and `{state="idle"}` (the latest sample
///   of each series, any other labels, summed; series silent for
///   `RuleLimits.metricStaleAfterSeconds` are left out) and the counter
///   `http_connections_opened_total` (its increase over the window).
///
/// Everything is measured back from `nowNs`: `?at=`, else the newest event.
public struct ConnectionMetricsView: Encodable, Sendable, Equatable {
    public struct FromReports: Encodable, Sendable, Equatable {
        public var active: Int
        public var idle: Int
        /// Known connections with no report within the window: not counted as open.
        public var stale: Int
        public var openedInWindow: Int
        public var healthy: Int
        public var degraded: Int
        public var failed: Int
    }

    public struct FromMetrics: Encodable, Sendable, Equatable {
        public var active: Double
        public var idle: Double
        /// nil when no `http_connections_opened_total` series has samples in the window.
        public var openedInWindow: Double?
        /// `http_connections` and `http_connections_opened_total` series read.
        public var series: Int
    }

    public var asOf: TimeStamp?
    public var windowSeconds: Int
    public var active: Double
    public var idle: Double
    public var total: Double
    /// New connections per second over the window.
    public var connectionRate: Double
    /// `healthy`, `warning` (a connection degraded or silent), `critical` (a breaker
    /// open), or `unknown` (no connection data).
    public var healthStatus: String
    public var reports: FromReports
    /// nil when no service sends the `http_connections` family.
    public var metrics: FromMetrics?
}

extension ProjectionSet {
    public static let connectionWindowSeconds = 60
    /// A connection that has not reported for this long is stale.
    public static let reportFreshSeconds: Int64 = 60
    public static let connectionsMetricName = "http_connections"
    public static let connectionsOpenedMetricName = "http_connections_opened_total"

    /// - Parameter nowNs: the moment the window ends; nil uses the newest event folded.
    public func connectionMetricsView(nowNs: Int64? = nil) -> ConnectionMetricsView {
        let window = Int64(Self.connectionWindowSeconds) * TimeUnits.nanosPerSecond
        let now = nowNs ?? lastEventTimeNs
        var reports = ConnectionMetricsView.FromReports(active: 0, idle: 0, stale: 0, openedInWindow: 0, healthy: 0, degraded: 0, failed: 0)
        if let now {
            let freshAfter = now - Self.reportFreshSeconds * TimeUnits.nanosPerSecond
            for (name, node) in topology.connections.entries where node.firstSeenNs <= now {
                if node.firstSeenNs > now - window { reports.openedInWindow += 1 }
                guard node.lastSeenNs > freshAfter else {
                    reports.stale += 1
                    continue
                }
                if node.tps > 0 || node.load > 0 { reports.active += 1 } else { reports.idle += 1 }
                switch ConnectionHealth(state: breakers.record(for: name)?.state ?? .closed, parseRate: node.parseRate) {
                case .healthy: reports.healthy += 1
                case .degraded: reports.degraded += 1
                case .failed: reports.failed += 1
                }
            }
        }
        let metrics = now.flatMap { connectionFamily(nowNs: $0, windowNs: window) }
        let active = Double(reports.active) + (metrics?.active ?? 0)
        let idle = Double(reports.idle) + (metrics?.idle ?? 0)
        let opened = Double(reports.openedInWindow) + (metrics?.openedInWindow ?? 0)
        let status: String
        if reports.failed > 0 {
            status = "critical"
        } else if reports.degraded > 0 || reports.stale > 0 {
            status = "warning"
        } else if reports.healthy > 0 || metrics != nil {
            status = "healthy"
        } else {
            status = "unknown"
        }
        return ConnectionMetricsView(
            asOf: now.map(TimeStamp.init(timeNs:)), windowSeconds: Self.connectionWindowSeconds,
            active: active, idle: idle, total: active + idle,
            connectionRate: opened / Double(Self.connectionWindowSeconds), healthStatus: status,
            reports: reports, metrics: metrics)
    }

    private func connectionFamily(nowNs: Int64, windowNs: Int64) -> ConnectionMetricsView.FromMetrics? {
        let gauges = series.keys(named: Self.connectionsMetricName)
        let counters = series.keys(named: Self.connectionsOpenedMetricName)
        guard !gauges.isEmpty || !counters.isEmpty else { return nil }
        let second = TimeUnits.nanosPerSecond
        let nowSecond = TimeUnits.unit(of: nowNs, widthNs: second)
        let staleAfterSeconds = RuleLimits.metricStaleAfterSeconds
        var family = ConnectionMetricsView.FromMetrics(active: 0, idle: 0, openedInWindow: nil, series: gauges.count + counters.count)
        for key in gauges {
            guard let state = series.state(of: key), let latest = Self.latest(state, atOrBeforeSecond: nowSecond, withinSeconds: staleAfterSeconds) else { continue }
            switch key.labels["state"] {
            case "active": family.active += latest
            case "idle": family.idle += latest
            default: break
            }
        }
        let firstSecond = TimeUnits.unit(of: nowNs - windowNs, widthNs: second) + 1
        for key in counters {
            guard let state = series.state(of: key), state.kind == .counter else { continue }
            var increase = 0.0
            var sampled = false
            state.seconds.forEach(fromUnit: firstSecond, throughUnit: nowSecond) { _, bucket in
                guard bucket.count > 0 else { return }
                sampled = true
                increase += Double(bucket.increase)
            }
            if sampled { family.openedInWindow = (family.openedInWindow ?? 0) + increase }
        }
        return family
    }

    /// The last sample of the newest second at or before `second` that has samples,
    /// looking back at most `withinSeconds` (the per-second tier holds 5 min; older
    /// seconds are read from the minute tier).
    private static func latest(_ state: SeriesState, atOrBeforeSecond second: Int64, withinSeconds: Int64) -> Double? {
        var found: Double?
        state.seconds.forEach(fromUnit: second - withinSeconds + 1, throughUnit: second) { _, bucket in
            if bucket.count > 0 { found = Double(bucket.last) }
        }
        if let found { return found }
        let minute = TimeUnits.unit(of: second * TimeUnits.nanosPerSecond, widthNs: TimeUnits.nanosPerMinute)
        state.minutes.forEach(fromUnit: minute - withinSeconds / 60, throughUnit: minute) { _, bucket in
            if bucket.count > 0 { found = Double(bucket.last) }
        }
        return found
    }
}
