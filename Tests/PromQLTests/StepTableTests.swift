import PromQL
import TestSupport
import Testing

/// Range queries read their selectors and range functions through step tables
/// (computed series by series over the query's grid); the step-by-step evaluation is
/// the reference they must equal, values, labels, order and errors alike.
@Suite struct StepTableTests {
    /// Counters with resets, gauges with NaN and gaps, scraped every 10–40 s with
    /// jitter, some series starting late or stopping early; `dup` has two series
    /// whose label sets differ only by name, so dropping it makes them collide. Some
    /// series go stale (a stale mark) before a gap or after their last sample.
    static func source(seed: UInt64) -> InMemorySampleSource {
        var random = SeededRandom(seed: seed)
        var series: [Series] = []
        for job in 0..<3 {
            for instance in 0..<6 {
                var counter = Double(random.next() % 100)
                var gauge = 0.0
                var counterSamples: [Sample] = []
                var gaugeSamples: [Sample] = []
                var counterMarks: [Int64] = []
                var gaugeMarks: [Int64] = []
                var t = Int64(random.next() % 600) * 1000
                let end = 3_600_000 - Int64(random.next() % 900) * 1000
                while t <= end {
                    counter = random.next() % 40 == 0 ? Double(random.next() % 5) : counter + Double(random.next() % 30)
                    gauge = random.next() % 50 == 0 ? .nan : Double(Int(random.next() % 200) - 100) / 4
                    counterSamples.append(Sample(timestampMs: t, value: counter))
                    if random.next() % 7 != 0 { gaugeSamples.append(Sample(timestampMs: t, value: gauge)) }
                    // Now and then a gap longer than the lookback, or one within it
                    // after the series went stale.
                    switch random.next() % 60 {
                    case 0: t += 400_000
                    case 1:
                        counterMarks.append(t + 1000)
                        gaugeMarks.append(t + 2000)
                        t += 120_000
                    default: t += Int64(10 + random.next() % 31) * 1000
                    }
                }
                if instance % 2 == 0 { gaugeMarks.append(end + 5000) }
                let labels = ["job": "j\(job)", "instance": "i\(instance)"]
                series.append(Series(labels: Labels(name: "req_total", labels), samples: counterSamples, staleMarksMs: counterMarks))
                series.append(Series(labels: Labels(name: "depth", labels), samples: gaugeSamples, staleMarksMs: gaugeMarks))
            }
        }
        series.append(Series(labels: Labels(name: "dup_a", ["k": "v"]), samples: [Sample(timestampMs: 1_800_000, value: 1)]))
        series.append(Series(labels: Labels(name: "dup_b", ["k": "v"]), samples: [Sample(timestampMs: 1_900_000, value: 2)]))
        return InMemorySampleSource(series)
    }

    static let queries = [
        "depth", "depth offset 3m", "req_total", "rate(req_total[5m])", "irate(req_total[1m])", "increase(req_total[2m] offset 1m)",
        "delta(depth[5m])", "idelta(depth[3m])", "deriv(depth[10m])", "resets(req_total[15m])", "changes(depth[4m])",
        "avg_over_time(depth[5m])", "sum_over_time(depth[2m])", "count_over_time(req_total[1m])", "min_over_time(depth[7m])",
        "max_over_time(depth[7m])", "last_over_time(depth[3m])", "present_over_time(depth[1m])", "stddev_over_time(depth[5m])",
        "stdvar_over_time(depth[5m])", "sum by (job) (rate(req_total[5m]))", "max(depth)", "avg without (instance) (depth)",
        "count(depth) by (job)", "stddev(rate(req_total[5m]))", "topk(2, depth)", "quantile(0.9, rate(req_total[5m])) by (job)",
        "count_values(\"v\", round(depth))", "group by (instance) (depth)", "rate(req_total[5m]) / on(job, instance) group_left depth",
        "sum(rate(req_total[5m])) + sum(depth)", "depth > 5", "rate(req_total[5m])[10m:1m]", "max_over_time(rate(req_total[2m])[10m:30s])",
        "depth @ 1800", "rate(req_total[5m] @ 1200)", "absent_over_time(depth{job=\"none\"}[5m])", "predict_linear(depth[10m], 600)",
        "quantile_over_time(0.5, depth[5m])", "timestamp(depth)", "max_over_time({__name__=~\"dup_.\"}[20m])", "last_over_time({__name__=~\"dup_.\"}[20m])",
        "sum by (job) (sum by (job, instance) (depth))", "label_replace(depth, \"x\", \"$1\", \"instance\", \"i(.)\")",
    ]

    static func equal(_ a: [Series], _ b: [Series]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in
            x.labels == y.labels && x.samples.count == y.samples.count
                && zip(x.samples, y.samples).allSatisfy { $0.timestampMs == $1.timestampMs && ($0.value.bitPattern == $1.value.bitPattern || ($0.value.isNaN && $1.value.isNaN)) }
        }
    }

    static func evaluate(_ query: String, source: InMemorySampleSource, startMs: Int64, endMs: Int64, stepMs: Int64, tables: Bool, maxSamples: Int) -> Result<[Series], PromQLError> {
        var options = QueryOptions()
        options.usesStepTables = tables
        options.maxSamples = maxSamples
        return Result { () throws(PromQLError) in
            try Evaluator.range(try Parser.parse(query), startMs: startMs, endMs: endMs, stepMs: stepMs, source: source, options: options)
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func rangeQueries_withStepTables_answerAsStepByStep(seed: UInt64) {
        let source = Self.source(seed: seed)
        var random = SeededRandom(seed: seed &* 31)
        for query in Self.queries {
            let stepMs = Int64(1 + random.next() % 120) * 1000
            let startMs = Int64(random.next() % 1200) * 1000 - 300_000
            let endMs = startMs + Int64(random.next() % 3_000) * 1000
            for maxSamples in [50_000_000, 200] {
                let reference = Self.evaluate(query, source: source, startMs: startMs, endMs: endMs, stepMs: stepMs, tables: false, maxSamples: maxSamples)
                let tabled = Self.evaluate(query, source: source, startMs: startMs, endMs: endMs, stepMs: stepMs, tables: true, maxSamples: maxSamples)
                let context = "seed \(seed), \(query), \(startMs)...\(endMs) step \(stepMs), max samples \(maxSamples)"
                switch (reference, tabled) {
                case (.success(let expected), .success(let got)):
                    #expect(Self.equal(expected, got), "\(context)")
                case (.failure(let expected), .failure(let got)):
                    #expect(expected.message == got.message, "\(context)")
                default:
                    Issue.record("\(context): step by step \(reference), with tables \(tabled)")
                }
            }
        }
    }

    @Test func theQueriesReachTheTables_andSomeFailAsTheyShould() {
        let source = Self.source(seed: 1)
        let duplicate = Self.evaluate("max_over_time({__name__=~\"dup_.\"}[20m])", source: source, startMs: 1_900_000, endMs: 2_000_000, stepMs: 10_000, tables: true, maxSamples: 50_000_000)
        #expect((try? duplicate.get()) == nil, "two series made equal by dropping the name refuse, as Prometheus")
        let limited = Self.evaluate("rate(req_total[5m])", source: source, startMs: 0, endMs: 3_600_000, stepMs: 60_000, tables: true, maxSamples: 200)
        #expect((try? limited.get()) == nil, "the sample limit holds")
        let answered = Self.evaluate("sum by (job) (rate(req_total[5m]))", source: source, startMs: 0, endMs: 3_600_000, stepMs: 60_000, tables: true, maxSamples: 50_000_000)
        #expect((try? answered.get())?.count == 3)
    }
}
