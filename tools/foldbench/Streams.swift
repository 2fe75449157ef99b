import EventStore
import Server

/// The event streams the fold benchmark folds.
enum Streams {
    static let startTimeNs: Int64 = 1_790_000_000_000_000_000
    static let secondNs: Int64 = 1_000_000_000

    /// 10 host-vitals-like series per host (cpu per core and total, memory, load,
    /// disk and network counters), `seriesCount / 10` hosts. Gauges move within
    /// `base...base+50` so the default alert rules stay quiet (CPU under 70 %, half
    /// the memory available), as on a healthy fleet.
    static func metricKeys(seriesCount: Int) -> [(key: SeriesKey, kind: MetricKind, base: Double)] {
        precondition(seriesCount > 0 && seriesCount % 10 == 0, "series count must be a positive multiple of 10")
        var keys: [(key: SeriesKey, kind: MetricKind, base: Double)] = []
        keys.reserveCapacity(seriesCount)
        for hostIndex in 0..<(seriesCount / 10) {
            let host = "host-\(hostIndex)"
            for core in ["0", "1", "2", "3", "total"] {
                keys.append((SeriesKey(name: "cpu_percent", labels: Labels(["core": core, "host": host])), .gauge, 20))
            }
            keys.append((SeriesKey(name: "memory_bytes", labels: Labels(["kind": "used", "host": host])), .gauge, 8e9))
            keys.append((SeriesKey(name: "memory_bytes", labels: Labels(["kind": "available", "host": host])), .gauge, 8e9))
            keys.append((SeriesKey(name: "load_average", labels: Labels(["period": "1m", "host": host])), .gauge, 0))
            keys.append((SeriesKey(name: "disk_io_bytes_total", labels: Labels(["device": "sda", "host": host])), .counter, 0))
            keys.append((SeriesKey(name: "net_bytes_total", labels: Labels(["iface": "eth0", "direction": "rx", "host": host])), .counter, 0))
        }
        return keys
    }

    /// The `index`th event of the metric-heavy stream: every series once per
    /// `intervalSeconds` of event time (a scrape interval; 1 by default), in key order,
    /// times spread over the first second of each interval.
    @inline(__always)
    static func metricEvent(_ index: Int, keys: [(key: SeriesKey, kind: MetricKind, base: Double)], intervalSeconds: Int = 1) -> Event {
        let round = index / keys.count
        let slot = index - round * keys.count
        let timeNs = startTimeNs + Int64(round) * Int64(intervalSeconds) * secondNs + Int64(slot) * (secondNs / Int64(keys.count))
        let entry = keys[slot]
        let value: Double = entry.kind == .counter
            ? Double(round) * 4096 + Double(slot)
            : entry.base + Double((round &* 31 &+ slot &* 7) % 500) / 10
        return Event(timeNs: timeNs, body: .metric(MetricSample(series: entry.key, value: value, kind: entry.kind)))
    }

    static func metricHeavy(count: Int, seriesCount: Int) -> [Event] {
        let keys = metricKeys(seriesCount: seriesCount)
        var events: [Event] = []
        events.reserveCapacity(count)
        for index in 0..<count { events.append(metricEvent(index, keys: keys)) }
        return events
    }

    /// The demo's realistic mix (operations, breakers, caches, batches, vitals,
    /// incidents), as many whole demo seconds as reach `count`, cut to `count`.
    static func demoMix(count: Int, seed: UInt64 = 42) -> [Event] {
        var workload = DemoWorkload(seed: seed, startTimeNs: startTimeNs)
        var events: [Event] = []
        events.reserveCapacity(count)
        while events.count < count {
            let second = workload.nextSecond()
            precondition(!second.isEmpty || workload.second < 10_000_000, "the demo produced no events for too long")
            events.append(contentsOf: second.prefix(count - events.count))
        }
        return events
    }

    /// Event counts by type, for the report.
    static func mixDescription(_ events: [Event]) -> String {
        var counts: [EventType: Int] = [:]
        for event in events { counts[event.type, default: 0] += 1 }
        return counts.sorted { $0.value > $1.value }
            .map { "\($0.key.name) \(Measure.fixed(100 * Double($0.value) / Double(events.count), 1))%" }
            .joined(separator: ", ")
    }
}
