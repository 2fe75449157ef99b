import EventStore

/// Deterministic events for tests: the same seed and count give the same events.
public enum EventGenerators {
    /// Metric samples over `seriesCount` series at 1 s steps from `startNs`: constants,
    /// counters and 2-decimal random walks, plus an occasional op event.
    public static func metrics(count: Int, seed: UInt64 = 1, seriesCount: Int = 8, startNs: Int64 = 1_700_000_000_000_000_000) -> [Event] {
        var random = SeededRandom(seed: seed)
        var walks = [Double](repeating: 50, count: seriesCount)
        var counters = [Double](repeating: 0, count: seriesCount)
        var events: [Event] = []
        events.reserveCapacity(count)
        for i in 0..<count {
            let series = i % seriesCount
            let timeNs = startNs + Int64(i / seriesCount) * 1_000_000_000
            if i % 97 == 96 {
                events.append(Event(timeNs: timeNs, body: .op(Operation(name: "GET /api", protocol: "http1", durationMs: Double(random.next() % 500) / 10, ok: random.next() % 10 != 0))))
                continue
            }
            let value: Double
            let kind: MetricKind
            switch series % 3 {
            case 0:
                value = 42
                kind = .gauge
            case 1:
                counters[series] += Double(random.next() % 100)
                value = counters[series]
                kind = .counter
            default:
                walks[series] += Double(Int(random.next() % 201) - 100) / 100
                value = (walks[series] * 100).rounded() / 100
                kind = .gauge
            }
            events.append(Event(timeNs: timeNs, body: .metric(MetricSample(name: "metric_\(series % 4)", labels: ["instance": "host-\(series)"], value: value, kind: kind))))
        }
        return events
    }
}
