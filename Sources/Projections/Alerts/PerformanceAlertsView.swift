import EventStore

/// `GET /api/v1/alerts/performance`: the alerts raised by threshold rules (a figure or
/// a metric series above or below a threshold), each with the metric, the threshold,
/// the value when it fired and the value now, a description and what to do about it.
/// They are the same alerts as `/api/v1/fault-tolerance/alerts` (same ids, the same
/// acknowledgement), narrowed to the ones that carry a metric and a threshold.
public struct PerformanceAlertsView: Encodable, Sendable, Equatable {
    public struct Alert: Encodable, Sendable, Equatable {
        public var id: String
        public var severity: AlertSeverity
        /// The rule id (the alert's `kind`).
        public var rule: String
        /// A figure (`latencyP99Ms`, `errorRatePercent`, ...) or a series name.
        public var metric: String
        /// The series' labels for a metric rule, canonical JSON; nil for figures.
        public var labelsJSON: String?
        /// `above` or `below`, when the rule said.
        public var comparison: String?
        public var threshold: Double
        /// The value that made it fire (its latest raise).
        public var valueAtRaise: Double?
        /// The value as of the answer's moment; nil when there is no data now.
        public var currentValue: Double?
        public var timestamp: String
        public var timestampNs: Int64
        public var description: String
        public var resolution: String
        public var status: AlertStatus
        public var acknowledged: Bool
        public var acknowledgedBy: String?
        public var acknowledgedAt: String?
        public var resolvedAt: String?
        public var raiseCount: UInt64
    }

    /// Newest first, filtered and limited.
    public var alerts: [Alert]
    /// Unfiltered counts of performance alerts.
    public var activeCount: Int
    public var acknowledgedCount: Int
    public var resolvedCount: Int
}

extension ProjectionSet {
    /// - Parameters:
    ///   - limit: the most alerts listed (negative counts as 0).
    ///   - severity: keep only this severity in the list; nil keeps all.
    public func performanceAlertsView(limit: Int = AlertsProjection.defaultViewLimit, severity: AlertSeverity? = nil) -> PerformanceAlertsView {
        let isPerformance = { (record: AlertRecord) in record.raised.metric != nil && record.raised.threshold != nil }
        let groups = [Array(alerts.open.values), alerts.resolved.elements]
        var counts = (active: 0, acknowledged: 0, resolved: 0)
        for group in groups {
            for record in group where isPerformance(record) {
                switch record.status {
                case .active: counts.active += 1
                case .acknowledged: counts.acknowledged += 1
                case .resolved: counts.resolved += 1
                }
            }
        }
        let listed = AlertRecord.newest(groups, limit: limit) { isPerformance($0) && (severity == nil || $0.raised.severity == severity) }
            .map(performanceAlert)
        return PerformanceAlertsView(
            alerts: Array(listed), activeCount: counts.active, acknowledgedCount: counts.acknowledged, resolvedCount: counts.resolved)
    }

    private func performanceAlert(_ record: AlertRecord) -> PerformanceAlertsView.Alert {
        let fields = record.raised
        let metric = fields.metric ?? ""
        let data = fields.dataJSON.flatMap { try? JSONParser.parse($0) }
        var labels: [String: String] = [:]
        if case .object(let members)? = data?["labels"] {
            for (key, value) in members { if case .string(let text) = value { labels[key] = text } }
        }
        var comparison: String?
        if case .string(let text)? = data?["operator"] { comparison = text }
        let figure = Figure(rawValue: metric)
        let current: Double? = if let figure {
            self.figure(figure).flatMap { $0.isFinite ? $0 : nil }
        } else {
            latestSample(SeriesKey(name: metric, labels: Labels(labels)))
        }
        var labelsJSON: String?
        if !labels.isEmpty {
            var writer = JSONWriter()
            writer.beginObject()
            for key in labels.keys.sorted() { writer.member(key, labels[key] ?? "") }
            writer.endObject()
            labelsJSON = writer.string
        }
        return PerformanceAlertsView.Alert(
            id: fields.id, severity: fields.severity, rule: fields.kind, metric: metric, labelsJSON: labelsJSON,
            comparison: comparison, threshold: fields.threshold ?? 0, valueAtRaise: fields.value, currentValue: current,
            timestamp: EventTime.formatRFC3339(record.raisedNs), timestampNs: record.raisedNs,
            description: fields.message, resolution: PerformanceGuide.resolution(metric: metric, figure: figure, comparison: comparison),
            status: record.status, acknowledged: record.acknowledgedNs != nil, acknowledgedBy: record.acknowledgedBy,
            acknowledgedAt: ViewTime.text(record.acknowledgedNs), resolvedAt: ViewTime.text(record.resolvedNs),
            raiseCount: record.raiseCount)
    }

    /// The last sample of the series' newest non-empty bucket, nil when unknown.
    func latestSample(_ key: SeriesKey) -> Double? {
        guard let state = series.state(of: key) else { return nil }
        for ring in [state.seconds, state.minutes, state.hours] where ring.count > 0 {
            if let bucket = ring.bucket(atUnit: ring.headUnit), bucket.count > 0 { return Double(bucket.last) }
        }
        return nil
    }
}

/// What to do about a performance alert, by what it watches.
enum PerformanceGuide {
    static func resolution(metric: String, figure: Figure?, comparison: String?) -> String {
        guard let figure else {
            return "Compare \(metric) with its history (historical analysis) and with the service that sends it; if the new level is expected, raise or lower the rule's threshold in the rule file."
        }
        switch figure {
        case .latencyP50Ms, .latencyP95Ms, .latencyP99Ms, .latencyP999Ms:
            return "Find the slow operations in the latency panel (per operation and protocol) and the latency heatmap; check the breakers and the dependency they wait on; scale out or shed load if throughput rose at the same time."
        case .throughputOpsPerSecond:
            return "Check that producers still send: the connections card, ingest errors on /metrics, the upstream load balancer; a deploy or a failing dependency usually shows as a drop."
        case .errorRatePercent:
            return "Find the failing operation in the errors heatmap and the protocols panel; check breakers that opened and recent deploy annotations, and roll back if it started with a deploy."
        case .cpuPercent:
            return "Find the busy cores in the CPU panel and the busy process on the host; lower maxConcurrentOps or scale out; look for a hot loop after a deploy."
        case .memoryAvailablePercent:
            return "Check the caches' sizes and the batcher's queue depth; lower the cache TTL multiplier or the cache size, or add memory."
        case .loadAverage1m:
            return "More runnable tasks than cores: reduce concurrency or add capacity."
        case .cacheHitRatePercent:
            return "Warm the cache, raise its size or TTL multiplier, and look for a wave of evictions in the cache panel."
        case .healthScore:
            return "Open the health breakdown to see which component pulls the score down, and follow that component's alert."
        }
    }
}
