import EventStore

/// Events of every type with ordinary and edge values, shared by the JSON and the
/// binary codec round-trip tests.
enum CodecSampleEvents {
    static let baseTimeNs: Int64 = 1_700_000_000_000_000_000

    static func longString(_ byteCount: Int, _ fill: Character = "x") -> String {
        String(repeating: fill, count: byteCount)
    }

    /// One event of each type, all optional fields present.
    static let everyType: [Event] = [
        Event(timeNs: baseTimeNs, body: .metric(MetricSample(name: "cpu_percent", labels: ["core": "total"], value: 12.5))),
        Event(timeNs: baseTimeNs + 1, body: .metric(MetricSample(name: "requests_total", value: 1234, kind: .counter))),
        Event(timeNs: baseTimeNs + 2, body: .op(Operation(name: "GET /users", protocol: "http2", durationMs: 3.25, ok: true))),
        Event(timeNs: baseTimeNs + 3, body: .op(Operation(name: "query", durationMs: 0, ok: false))),
        Event(timeNs: baseTimeNs + 4, body: .breaker(BreakerTransition(connection: "db-1", from: .closed, to: .open, failures: 5, reason: "timeouts"))),
        Event(timeNs: baseTimeNs + 5, body: .breaker(BreakerTransition(connection: "db-1", from: .open, to: .halfOpen, failures: 0))),
        Event(timeNs: baseTimeNs + 6, body: .connection(ConnectionReport(
            connection: "db-1", monitors: ["latency", "errors"], load: 42.5, tps: 1500, parseRate: 0.98, latencyMs: 4.5))),
        Event(timeNs: baseTimeNs + 7, body: .alert(AlertRaised(
            id: "a-1", severity: .critical, kind: "threshold", message: "cpu above 90%", connection: "db-1",
            metric: "cpu_percent", threshold: 90, value: 93.5, dataJSON: #"{"core":"total","n":3}"#))),
        Event(timeNs: baseTimeNs + 8, body: .alert(AlertRaised(id: "a-2", severity: .info, kind: "note", message: ""))),
        Event(timeNs: baseTimeNs + 9, body: .alertAck(AlertAck(id: "a-1", by: "ops"))),
        Event(timeNs: baseTimeNs + 10, body: .alertAck(AlertAck(id: "a-2"))),
        Event(timeNs: baseTimeNs + 11, body: .alertResolve(AlertResolve(id: "a-1"))),
        Event(timeNs: baseTimeNs + 12, body: .optimization(OptimizationChange(
            mode: .auto, efficiency: 0.87,
            params: OptimizationParams(batchSize: 128, batchTimeoutMs: 25, cacheTTLMultiplier: 1.5, maxConcurrentOps: 64),
            reason: "queue growing"))),
        Event(timeNs: baseTimeNs + 13, body: .optimization(OptimizationChange(
            mode: .manual, efficiency: 0, params: OptimizationParams(batchSize: 1, batchTimeoutMs: 0, cacheTTLMultiplier: 0, maxConcurrentOps: 1)))),
        Event(timeNs: baseTimeNs + 14, body: .cache(CacheReport(
            cache: "sessions", hits: 1_000_000, misses: 12, evictions: 3, sizeBytes: 1 << 30, entries: 5000,
            compressionRatio: 2.5, avgTTLms: 60000))),
        Event(timeNs: baseTimeNs + 15, body: .batch(BatchReport(
            size: 100, optimalSize: 120, latencyMs: 12.75, queueDepth: 7, priority: PriorityCounts(high: 10, medium: 50, low: 40)))),
        Event(timeNs: baseTimeNs + 16, body: .batch(BatchReport(size: 0, latencyMs: 0, queueDepth: 0))),
        Event(timeNs: baseTimeNs + 17, body: .annotation(Annotation(text: "deploy v1.2.3", tags: ["deploy", "api"]))),
        Event(timeNs: baseTimeNs + 18, body: .annotation(Annotation(text: ""))),
    ]

    /// Edge values that JSON can also carry: empty labels, strings at their limits,
    /// negative and huge values, identical and out-of-order timestamps.
    static let edgeValues: [Event] = {
        let name = longString(EventLimits.nameBytesMax, "n")
        let text = longString(EventLimits.textBytesMax, "t")
        var manyLabels: [String: String] = [:]
        for index in 0..<EventLimits.labelsCountMax { manyLabels["k\(index)"] = longString(EventLimits.nameBytesMax - 3) + "\(100 + index)" }
        return [
            Event(timeNs: 0, body: .metric(MetricSample(name: "m", labels: [:], value: -1.5))),
            Event(timeNs: 0, body: .metric(MetricSample(name: "m", labels: [:], value: -1.5))),
            // Prometheus's values JSON numbers cannot hold: ±Inf, its NaN, the stale marker.
            Event(timeNs: 1, body: .metric(MetricSample(name: "m", labels: [:], value: .infinity))),
            Event(timeNs: 2, body: .metric(MetricSample(name: "m", labels: [:], value: Double(bitPattern: MetricSample.nanBitPattern)))),
            Event(timeNs: 3, body: .metric(MetricSample.staleMarker(series: SeriesKey(name: "m", labels: .empty)))),
            Event(timeNs: 4, body: .metric(MetricSample(name: "m", labels: [:], value: -.infinity, kind: .counter))),
            Event(timeNs: -5, body: .metric(MetricSample(name: name, labels: manyLabels, value: 1.7976931348623157e308))),
            Event(timeNs: Int64.max, body: .metric(MetricSample(name: "m", labels: ["k": ""], value: -1e-300))),
            Event(timeNs: Int64.min + 1, body: .metric(MetricSample(name: "ünïcødé 📈", labels: ["é": "日本"], value: Double.leastNonzeroMagnitude * 3, kind: .counter))),
            Event(timeNs: 42, body: .op(Operation(name: name, protocol: name, durationMs: 1e300, ok: true))),
            Event(timeNs: 42, body: .breaker(BreakerTransition(connection: name, from: .halfOpen, to: .closed, failures: Int64.max, reason: text))),
            Event(timeNs: 41, body: .connection(ConnectionReport(
                connection: "c", monitors: Array(repeating: name, count: EventLimits.monitorsCountMax), load: 100, tps: 0, parseRate: 1, latencyMs: 0))),
            Event(timeNs: 41, body: .alert(AlertRaised(
                id: name, severity: .warning, kind: "k", message: text, threshold: -1e308, value: -0.001,
                dataJSON: "{\"big\":\"" + longString(EventLimits.dataBytesMax - 12) + "\"}"))),
            Event(timeNs: 41, body: .cache(CacheReport(
                cache: "c", hits: UInt64(Int64.max), misses: 0, evictions: 0, sizeBytes: 0, entries: 0, compressionRatio: 0, avgTTLms: 0))),
            Event(timeNs: 40, body: .annotation(Annotation(text: text, tags: Array(repeating: name, count: EventLimits.tagsCountMax)))),
        ]
    }()

    /// Values and times at the edges of what the log holds, exact in the binary codec.
    static let binaryEdges: [Event] = [
        Event(timeNs: Int64.max, body: .metric(MetricSample(name: "b", value: -0.0))),
        Event(timeNs: Int64.min, body: .metric(MetricSample(name: "b", value: -Double.greatestFiniteMagnitude))),
        Event(timeNs: 0, body: .metric(MetricSample(name: "b", value: Double.leastNonzeroMagnitude))),
        Event(timeNs: 0, body: .metric(MetricSample(name: "b", value: 0.1 + 0.2))),
        Event(timeNs: 0, body: .metric(MetricSample(name: "b", value: Double(1 << 53) + 2))),
        Event(timeNs: 0, body: .op(Operation(name: "o", durationMs: 0, ok: true))),
        Event(timeNs: 0, body: .cache(CacheReport(
            cache: "c", hits: UInt64(Int64.max), misses: UInt64(Int64.max), evictions: 0, sizeBytes: UInt64(Int64.max),
            entries: 0, compressionRatio: -0.0, avgTTLms: 0))),
        Event(timeNs: 0, body: .breaker(BreakerTransition(connection: "c", from: .open, to: .open, failures: Int64.max))),
    ]

    /// Events the log never holds (`EventDomain`), each with the field it names: the
    /// codec encodes them, the decoder refuses their batch as damage.
    static let outsideTheDomain: [(event: Event, field: String)] = [
        (Event(timeNs: 0, body: .metric(MetricSample(name: "b", value: Double(bitPattern: 0x7FF8_0000_0000_1234)))), "value"),
        (Event(timeNs: 0, body: .metric(MetricSample(name: "", value: 1))), "name"),
        (Event(timeNs: 0, body: .metric(MetricSample(name: "b", labels: ["k": String(repeating: "v", count: 257)], value: 1))), "labels.k"),
        (Event(timeNs: 0, body: .op(Operation(name: "o", durationMs: .nan, ok: true))), "durationMs"),
        (Event(timeNs: 0, body: .op(Operation(name: "o", durationMs: -1, ok: true))), "durationMs"),
        (Event(timeNs: 0, body: .op(Operation(name: String(repeating: "o", count: 257), durationMs: 1, ok: true))), "name"),
        (Event(timeNs: 0, body: .connection(ConnectionReport(
            connection: "c", monitors: [], load: 1, tps: -0.0149, parseRate: 1, latencyMs: 0))), "tps"),
        (Event(timeNs: 0, body: .connection(ConnectionReport(
            connection: "c", monitors: [], load: 100.5, tps: 0, parseRate: 1, latencyMs: 0))), "load"),
        (Event(timeNs: 0, body: .cache(CacheReport(
            cache: "c", hits: UInt64.max, misses: 0, evictions: 0, sizeBytes: 0, entries: 0, compressionRatio: 0, avgTTLms: 0))), "hits"),
        (Event(timeNs: 0, body: .breaker(BreakerTransition(connection: "c", from: .open, to: .open, failures: Int64.min))), "failures"),
        (Event(timeNs: 0, body: .optimization(OptimizationChange(
            mode: .auto, efficiency: 1.5, params: OptimizationParams(batchSize: 1, batchTimeoutMs: 1, cacheTTLMultiplier: 1, maxConcurrentOps: 1)))),
         "efficiency"),
        (Event(timeNs: 0, body: .alert(AlertRaised(id: "a", severity: .info, kind: "k", message: "m", dataJSON: "{\"b\":1,\"a\":2}"))), "data"),
        (Event(timeNs: 0, body: .alert(AlertRaised(id: "a", severity: .info, kind: "k", message: "m", dataJSON: "1,\"x\":2"))), "data"),
        (Event(timeNs: 0, body: .alertResolve(AlertResolve(id: ""))), "id"),
    ]
}
