import EventStore

/// The data set of issue 2: 1,000 metric series sampled every second for 10 minutes;
/// 30 % constant, 30 % counters, 40 % random walks with 2 decimals. Seeded, so every
/// run measures the same events.
///
/// All series of one tick share its timestamp, as a collector that samples every
/// series at once records them; events are ordered by time, then series.
struct BenchDataSet {
    static let seriesCount = 1_000
    static let seconds = 600
    static let startTimeNs: Int64 = 1_700_000_000_000_000_000

    let events: [Event]

    init(seed: UInt64 = 42) {
        var random = BenchRandom(seed: seed)
        let jobs = ["node", "api", "db", "cache", "queue"]
        let names = ["cpu_seconds", "memory_bytes", "requests", "errors", "latency_ms", "queue_depth", "disk_io", "net_rx_bytes"]
        var samples: [MetricSample] = []
        var values: [Double] = []
        var steps: [Double] = []
        for index in 0..<Self.seriesCount {
            let labels = [
                "instance": "10.0.\(index / 250).\(index % 250):9100",
                "job": jobs[index % jobs.count],
            ]
            let name = names[index % names.count]
            switch index % 10 {
            case 0..<3:
                samples.append(MetricSample(name: name + "_limit", labels: labels, value: 0))
                values.append(Double(Int.random(in: 1...64, using: &random)) * 0.5)
                steps.append(0)
            case 3..<6:
                samples.append(MetricSample(name: name + "_total", labels: labels, value: 0, kind: .counter))
                values.append(Double(Int.random(in: 0...1_000_000, using: &random)))
                steps.append(Double(Int.random(in: 1...2_000, using: &random)))
            default:
                samples.append(MetricSample(name: name, labels: labels, value: 0))
                values.append(Double(Int.random(in: 1_000...100_000, using: &random)) / 100)
                steps.append(0)
            }
        }
        var events: [Event] = []
        events.reserveCapacity(Self.seriesCount * Self.seconds)
        for second in 0..<Self.seconds {
            let timeNs = Self.startTimeNs + Int64(second) * 1_000_000_000
            for index in 0..<Self.seriesCount {
                var sample = samples[index]
                switch index % 10 {
                case 0..<3:
                    break
                case 3..<6:
                    // Increments vary around the series' own rate, as request counts do.
                    values[index] += (steps[index] * Double.random(in: 0.5...1.5, using: &random)).rounded()
                default:
                    let cents = (values[index] * 100).rounded() + Double(Int.random(in: -100...100, using: &random))
                    values[index] = max(cents, 0) / 100
                }
                sample.value = values[index]
                events.append(Event(timeNs: timeNs, body: .metric(sample)))
            }
        }
        self.events = events
    }
}

/// SplitMix64: small, fast, seedable.
struct BenchRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
