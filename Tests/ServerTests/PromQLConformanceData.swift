import Foundation
import PromQL

/// The samples the PromQL conformance suite queries, the same for Tacho and for
/// Prometheus: one hour of counters (with a reset), gauges (negative, jittered
/// timestamps), classic histogram buckets, a sparse series with gaps longer than
/// the lookback, and an info series for joins. Deterministic (a fixed LCG).
enum ConformanceData {
    /// 2023-11-14T22:13:20Z, a fixed past hour (Prometheus keeps old blocks; Tacho
    /// accepts a backfill into an empty directory).
    static let baseMs: Int64 = 1_700_000_000_000
    static let hourMs: Int64 = 3_600_000

    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func unit() -> Double { Double(next() % 1_000_000) / 1_000_000 }
    }

    /// Every series with its samples; timestamps are what Prometheus's OpenMetrics
    /// parser makes of the seconds written (`Int64(seconds * 1000)`).
    static let series: [Series] = {
        var random = Generator(state: 42)
        var out: [Series] = []
        func add(_ name: String, _ labels: [String: String], _ samples: [(Int64, Double)]) {
            out.append(Series(labels: Labels(name: name, labels), samples: samples.map { Sample(timestampMs: $0.0, value: $0.1) }))
        }
        // Counters every 15 s, one with a reset at 30 min.
        for (instance, method) in [("a", "get"), ("a", "post"), ("b", "get"), ("b", "post")] {
            var value = Double(random.next() % 100)
            var samples: [(Int64, Double)] = []
            var t: Int64 = 0
            while t <= hourMs {
                if instance == "b", method == "get", t == 1_800_000 { value = 3 } else { value += Double(random.next() % 20) }
                samples.append((baseMs + t, value))
                t += 15_000
            }
            add("http_requests_total", ["job": "api", "instance": instance, "method": method], samples)
        }
        // Gauges every ~10 s with millisecond jitter, crossing zero.
        for room in ["kitchen", "office"] {
            var value = room == "kitchen" ? 2.5 : -1.25
            var samples: [(Int64, Double)] = []
            var t: Int64 = 0
            while t <= hourMs {
                value += (random.unit() - 0.5) * 3
                samples.append((baseMs + t + Int64(random.next() % 900), (value * 1000).rounded() / 1000))
                t += 10_000
            }
            add("temperature_celsius", ["room": room], samples)
        }
        // Classic histogram buckets, _sum and _count, every 15 s, two jobs.
        for job in ["api", "db"] {
            let bounds = ["0.05", "0.1", "0.5", "1", "+Inf"]
            var counts = [Double](repeating: 0, count: bounds.count)
            var sum = 0.0
            var bucketSamples = [[(Int64, Double)]](repeating: [], count: bounds.count)
            var sumSamples: [(Int64, Double)] = []
            var t: Int64 = 0
            while t <= hourMs {
                for _ in 0..<Int(random.next() % 10) {
                    let observation = random.unit() * random.unit() * 2
                    sum += observation
                    for (index, bound) in bounds.enumerated() where observation <= (Double(bound) ?? .infinity) { counts[index] += 1 }
                }
                for index in bounds.indices { bucketSamples[index].append((baseMs + t, counts[index])) }
                sumSamples.append((baseMs + t, (sum * 1e6).rounded() / 1e6))
                t += 15_000
            }
            for (index, bound) in bounds.enumerated() {
                add("request_duration_seconds_bucket", ["job": job, "le": bound], bucketSamples[index])
            }
            add("request_duration_seconds_sum", ["job": job], sumSamples)
            add("request_duration_seconds_count", ["job": job], bucketSamples[bounds.count - 1])
        }
        // up: mostly 1, sometimes 0.
        for instance in ["a", "b"] {
            var samples: [(Int64, Double)] = []
            var t: Int64 = 0
            while t <= hourMs {
                samples.append((baseMs + t, random.next() % 7 == 0 ? 0 : 1))
                t += 15_000
            }
            add("up", ["job": "api", "instance": instance], samples)
        }
        // Queue depths: small integers, for count_values, topk and bottomk.
        for queue in ["q1", "q2", "q3"] {
            var samples: [(Int64, Double)] = []
            var t: Int64 = 0
            while t <= hourMs {
                samples.append((baseMs + t, Double(random.next() % 5)))
                t += 30_000
            }
            add("queue_depth", ["queue": queue, "instance": queue == "q3" ? "b" : "a"], samples)
        }
        // A sparse gauge: gaps of 14 min (longer than the 5 min lookback).
        add("sparse_gauge", ["kind": "gappy"], [(baseMs, 1), (baseMs + 60_000, 2), (baseMs + 900_000, 5), (baseMs + 960_000, 4),
                                                (baseMs + 1_800_000, 9), (baseMs + 3_000_000, 7.5)])
        // An info series for group_left joins.
        for (instance, version) in [("a", "1.2.3"), ("b", "1.3.0")] {
            add("build_info", ["instance": instance, "version": version], stride(from: Int64(0), through: hourMs, by: 60_000).map { (baseMs + $0, 1) })
        }
        // Values that exercise formatting and special cases.
        add("special_values", ["case": "big"], [(baseMs, 1e21), (baseMs + 1_800_000, 1.5e21)])
        add("special_values", ["case": "small"], [(baseMs, 1.25e-7), (baseMs + 1_800_000, -3.5e-9)])
        return out.map { series in
            // Round-trip every timestamp through the text form Prometheus imports.
            Series(labels: series.labels, samples: series.samples.map { Sample(timestampMs: importedMs(secondsText($0.timestampMs)), value: $0.value) })
        }
    }()

    static func secondsText(_ ms: Int64) -> String {
        let seconds = ms / 1000
        let fraction = ms % 1000
        return fraction == 0 ? "\(seconds)" : "\(seconds)." + String(String(fraction + 1000).dropFirst())
    }

    static func importedMs(_ text: String) -> Int64 { Int64(Double(text)! * 1000) }

    /// The samples as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`.
    static var openMetrics: String {
        var text = ""
        let byName = Dictionary(grouping: series, by: { $0.labels.metric })
        for name in byName.keys.sorted() {
            for entry in byName[name]! {
                let labels = entry.labels.pairs.filter { $0.name != Labels.metricName }
                    .map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",")
                for sample in entry.samples {
                    text += "\(name){\(labels)} \(formatValue(sample.value)) \(secondsText(sample.timestampMs))\n"
                }
            }
        }
        return text + "# EOF\n"
    }

    static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return "\(value)"
    }
}
