// PromQL evaluator benchmark: the same samples as OpenMetrics (for promtool and
// Prometheus) and timed in Tacho's evaluator over memory. Built with swiftc -O by
// tools/promql-bench, outside SwiftPM (no package build lock held).
import Foundation

let baseMs: Int64 = 1_700_000_000_000
let intervalMs: Int64 = 30_000
let hourMs: Int64 = 3_600_000

func series() -> [Series] {
    var out: [Series] = []
    var state: UInt64 = 7
    func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
    for job in 0..<10 {
        for instance in 0..<500 {
            var counter = Double(next() % 1000)
            var gauge = Double(next() % 100)
            var counterSamples: [Sample] = []
            var gaugeSamples: [Sample] = []
            var t: Int64 = 0
            while t <= hourMs {
                counter += Double(next() % 50)
                gauge += Double(Int(next() % 11) - 5)
                counterSamples.append(Sample(timestampMs: baseMs + t, value: counter))
                gaugeSamples.append(Sample(timestampMs: baseMs + t, value: gauge))
                t += intervalMs
            }
            let labels = ["job": "j\(job)", "instance": "i-\(instance)"]
            out.append(Series(labels: Labels(name: "bench_requests_total", labels), samples: counterSamples))
            out.append(Series(labels: Labels(name: "bench_queue_depth", labels), samples: gaugeSamples))
        }
    }
    return out
}

let arguments = CommandLine.arguments
let all = series()
if arguments.count > 1, arguments[1] == "openmetrics" {
    var text = ""
    text.reserveCapacity(all.count * 122 * 80)
    for entry in all {
        let name = entry.labels.metric
        let labels = entry.labels.pairs.filter { $0.name != "__name__" }.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",")
        for sample in entry.samples { text += "\(name){\(labels)} \(sample.value) \(sample.timestampMs / 1000)\n" }
    }
    text += "# EOF\n"
    FileHandle.standardOutput.write(Data(text.utf8))
    exit(0)
}

// bench: lines of "instant|range <query>" on stdin; prints "kind median_ms p99_ms runs query".
let source = InMemorySampleSource(all)
let runs = Int(arguments.count > 2 ? arguments[2] : "20") ?? 20
while let line = readLine() {
    let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
    guard parts.count == 2 else { continue }
    let expr = try Parser.parse(parts[1])
    var times: [Double] = []
    for _ in 0..<runs {
        let clock = ContinuousClock()
        let start = clock.now
        if parts[0] == "instant" {
            _ = try Evaluator.instant(expr, atMs: baseMs + hourMs, source: source)
        } else {
            _ = try Evaluator.range(expr, startMs: baseMs, endMs: baseMs + hourMs, stepMs: 60_000, source: source)
        }
        let elapsed = clock.now - start
        times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }
    times.sort()
    let p99 = times[min(times.count - 1, Int((Double(times.count) * 0.99).rounded(.up)) - 1)]
    print(String(format: "%@ %.2f %.2f %d %@", parts[0], times[times.count / 2], p99, runs, parts[1]))
}
