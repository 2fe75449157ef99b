extension EventFieldReader {
    func body(of type: EventType) throws(EventInputError) -> EventBody {
        let name = EventLimits.nameBytesMax
        let text = EventLimits.textBytesMax
        switch type {
        case .metric:
            let kind: MetricKind
            switch try optionalString("kind", max: name) {
            case nil, "gauge": kind = .gauge
            case "counter": kind = .counter
            case let other?: throw fail("kind", "expected 'gauge' or 'counter', found '\(other)'")
            }
            let series = SeriesKey(name: try nonEmptyString("name", max: name), labels: try labels())
            // `"stale":true` stands for a stale marker, and then there is no value.
            guard try optionalBool("stale") == true else {
                return .metric(MetricSample(series: series, value: try metricValue(), kind: kind))
            }
            guard member("value") == nil else { throw fail("value", "a stale marker (\"stale\":true) has no value") }
            return .metric(MetricSample.staleMarker(series: series, kind: kind))
        case .op:
            return .op(Operation(
                name: try nonEmptyString("name", max: name),
                protocol: try optionalString("protocol", max: name),
                durationMs: try double("durationMs", range: EventDomain.nonNegative),
                ok: try bool("ok")))
        case .breaker:
            let connection = try nonEmptyString("connection", max: name)
            let from = try breakerState("from")
            let to = try breakerState("to")
            // Stored as Int64: a count past it is refused, not converted (that trapped).
            let failures = try count("failures")
            guard failures <= UInt64(Int64.max) else { throw fail("failures", "more than \(Int64.max)") }
            return .breaker(BreakerTransition(
                connection: connection, from: from, to: to, failures: Int64(failures), reason: try optionalString("reason", max: text)))
        case .connection:
            return .connection(ConnectionReport(
                connection: try nonEmptyString("connection", max: name),
                monitors: try stringArray("monitors", countMax: EventLimits.monitorsCountMax, required: false),
                load: try double("load", range: EventDomain.percent),
                tps: try double("tps", range: EventDomain.nonNegative),
                parseRate: try double("parseRate", range: EventDomain.fraction),
                latencyMs: try double("latencyMs", range: EventDomain.nonNegative)))
        case .alert:
            let severityName = try string("severity", max: name)
            guard let severity = AlertSeverity(rawValue: severityName) else {
                throw fail("severity", "expected 'critical', 'warning' or 'info', found '\(severityName)'")
            }
            return .alert(AlertRaised(
                id: try nonEmptyString("id", max: name),
                severity: severity,
                kind: try nonEmptyString("kind", max: name),
                message: try string("message", max: text),
                connection: try optionalString("connection", max: name),
                metric: try optionalString("metric", max: name),
                threshold: try optionalDouble("threshold"),
                value: try optionalDouble("value"),
                dataJSON: try canonicalData("data")))
        case .alertAck:
            return .alertAck(AlertAck(id: try nonEmptyString("id", max: name), by: try optionalString("by", max: name)))
        case .alertResolve:
            return .alertResolve(AlertResolve(id: try nonEmptyString("id", max: name)))
        case .optimization:
            let modeName = try string("mode", max: name)
            guard let mode = OptimizationMode(rawValue: modeName) else {
                throw fail("mode", "expected 'auto' or 'manual', found '\(modeName)'")
            }
            let params = try nested("params", required: true)!
            let positive = EventDomain.nonNegative
            return .optimization(OptimizationChange(
                mode: mode,
                efficiency: try double("efficiency", range: EventDomain.fraction),
                params: OptimizationParams(
                    batchSize: try params.double("batchSize", range: positive),
                    batchTimeoutMs: try params.double("batchTimeoutMs", range: positive),
                    cacheTTLMultiplier: try params.double("cacheTTLMultiplier", range: positive),
                    maxConcurrentOps: try params.double("maxConcurrentOps", range: positive)),
                reason: try optionalString("reason", max: text)))
        case .cache:
            return .cache(CacheReport(
                cache: try nonEmptyString("cache", max: name),
                hits: try count("hits"),
                misses: try count("misses"),
                evictions: try count("evictions"),
                sizeBytes: try count("sizeBytes"),
                entries: try count("entries"),
                compressionRatio: try double("compressionRatio", range: EventDomain.nonNegative),
                avgTTLms: try double("avgTTLms", range: EventDomain.nonNegative)))
        case .batch:
            let priority = try nested("priority", required: false)
            return .batch(BatchReport(
                size: try count("size"),
                optimalSize: try optionalCount("optimalSize"),
                latencyMs: try double("latencyMs", range: EventDomain.nonNegative),
                queueDepth: try count("queueDepth"),
                priority: PriorityCounts(
                    high: try priority?.optionalCount("high") ?? 0,
                    medium: try priority?.optionalCount("medium") ?? 0,
                    low: try priority?.optionalCount("low") ?? 0)))
        case .annotation:
            return .annotation(Annotation(
                text: try string("text", max: text),
                tags: try stringArray("tags", countMax: EventLimits.tagsCountMax, required: false)))
        }
    }

    private func breakerState(_ field: String) throws(EventInputError) -> BreakerState {
        let text = try string(field, max: EventLimits.nameBytesMax)
        guard let state = BreakerState(rawValue: text) else {
            throw fail(field, "expected 'CLOSED', 'OPEN' or 'HALF_OPEN', found '\(text)'")
        }
        return state
    }
}
