import PromQL
import Testing

@Suite struct AlertBacktestTests {
    /// `x` present at 0-2 min, absent at 3, present at 4-9 min, absent from 10 min.
    let source = InMemorySampleSource([
        Series(labels: Labels(name: "x", ["job": "a"]), samples: [0, 1, 2, 4, 5, 6, 7, 8, 9].map { Sample(timestampMs: Int64($0) * 60_000, value: Double($0)) }),
    ])
    var options: QueryOptions {
        var options = QueryOptions()
        options.lookbackDeltaMs = 30_000
        return options
    }

    private func run(for forMs: Int64, keepFiringFor: Int64 = 0) throws -> [String] {
        let rule = try AlertingRule(
            name: "X", expr: try Parser.parse("x"), forMs: forMs, keepFiringForMs: keepFiringFor,
            labels: ["severity": "page"], annotations: ["summary": "{{ $labels.job }} at {{ $value }}"])
        let transitions = try AlertBacktest.run(
            [AlertingRuleGroup(name: "g", intervalMs: 60_000, rules: [rule])], fromMs: 0, toMs: 12 * 60_000, source: source, options: options)
        #expect(transitions.allSatisfy { $0.labels == Labels(["alertname": "X", "job": "a", "severity": "page"]) })
        return transitions.map { "\($0.atMs / 60_000) \($0.state.rawValue) \($0.annotations["summary"] ?? "")" }
    }

    @Test func for_holdsPending_untilTheSeriesHasBeenPresentLongEnough() throws {
        #expect(try run(for: 0) == ["0 pending a at 0", "0 firing a at 0", "3 resolved a at 2", "4 pending a at 4", "4 firing a at 4", "10 resolved a at 9"])
        // A 2-minute gap-free presence is needed: 0-2 fires at 2; 4-9 fires at 6.
        #expect(try run(for: 120_000) == ["0 pending a at 0", "2 firing a at 2", "3 resolved a at 2", "4 pending a at 4", "6 firing a at 6", "10 resolved a at 9"])
        // Pending that ends before `for` leaves no firing and no resolved.
        #expect(try run(for: 180_000) == ["0 pending a at 0", "4 pending a at 4", "7 firing a at 7", "10 resolved a at 9"])
    }

    @Test func keepFiringFor_bridgesAGap_andDelaysTheResolve() throws {
        #expect(try run(for: 0, keepFiringFor: 120_000) == ["0 pending a at 0", "0 firing a at 0", "12 resolved a at 9"])
    }

    @Test func templates_expandLabelsAndValue_andRefuseTheRest() throws {
        #expect(try AlertTemplate.expand("{{ $labels.job }}/{{ .Labels.job }}={{$value}}", labels: Labels(["job": "a"]), value: 0.5) == "a/a=0.5")
        #expect(PromNumber.goFormat(1_000_000) == "1e+06")
        #expect(PromNumber.goFormat(123_456) == "123456")
        #expect(PromNumber.goFormat(0.00001) == "1e-05")
        #expect(PromNumber.goFormat(-2.5e-7) == "-2.5e-07")
        #expect(throws: PromQLError.self) { try AlertTemplate.expand("{{ humanize $value }}", labels: Labels(), value: 1) }
    }
}
