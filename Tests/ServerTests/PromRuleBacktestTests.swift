import Foundation
import PromQL
import Testing
@testable import Server

/// `tacho alerts backtest --rules rules.yml` over the conformance samples, against
/// Prometheus's own evaluation of each rule's `expr` at the group's interval (its
/// `query_range`), with `for` applied to what Prometheus answered.
@Suite struct PromRuleBacktestTests {
    static let rules = """
        groups:
          - name: temperatures
            interval: 30s
            rules:
              - alert: Warm
                expr: temperature_celsius > 2
                for: 2m
                labels:
                  severity: "{{ $labels.room }}-page"
                annotations:
                  summary: "{{ $labels.room }} is at {{ $value }} degrees"
          - name: traffic
            rules:
              - alert: Busy
                expr: rate(http_requests_total[5m]) > 0.6
                for: 5m
              - alert: Down
                expr: up == 0
        """

    /// The rule set as the reference reads it: expr, interval, for (ms), rule labels.
    static let reference: [(alert: String, expr: String, intervalMs: Int64, forMs: Int64, labels: [String: String])] = [
        ("Warm", "temperature_celsius > 2", 30_000, 120_000, ["severity": "ROOM-page"]),
        ("Busy", "rate(http_requests_total[5m]) > 0.6", 60_000, 300_000, [:]),
        ("Down", "up == 0", 60_000, 0, [:]),
    ]

    @Test func prometheusRuleFile_backtest_matchesPrometheusEvaluationWithForApplied() async throws {
        guard let prometheus = try await PrometheusServer.start(openMetrics: ConformanceData.openMetrics) else { return }
        defer { prometheus.stop() }
        let directory = try TemporaryDirectory("promrules")
        defer { directory.remove() }
        let imported = try await TachoCommand.run(["import", "--data", directory.path], stdin: ConformanceData.ndjson)
        #expect(imported.status == 0, "\(imported.stderr)")
        let rulesPath = directory.path + "/rules.yml"
        try Self.rules.write(toFile: rulesPath, atomically: true, encoding: .utf8)
        let run = try await TachoCommand.run(["alerts", "backtest", "--rules", rulesPath, "--data", directory.path, "--format", "json", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let answer = try jsonObject(run.stdout)
        let transitions = answer["transitions"] as? [[String: Any]] ?? []
        let ours = transitions.map { t -> String in
            let labels = (t["labels"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            return "\(t["timeMs"] as? Int ?? 0) \(t["state"] as? String ?? "") {\(labels)}"
        }.sorted()

        // The range the command evaluates: the first sample to the last.
        let allSamples = ConformanceData.series.flatMap(\.samples)
        let firstMs = allSamples.map(\.timestampMs).min()!
        let lastMs = allSamples.map(\.timestampMs).max()!
        var expected: [String] = []
        for rule in Self.reference {
            var start = rule.intervalMs * (firstMs / rule.intervalMs)
            if start < firstMs { start += rule.intervalMs }
            let body = try await prometheus.get("/api/v1/query_range?" + formQuery([
                ("query", rule.expr), ("start", PromAPIJSON.seconds(start)), ("end", PromAPIJSON.seconds(lastMs)), ("step", "\(rule.intervalMs / 1000)"),
            ]))
            let result = (try jsonObject(body)["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
            for series in result {
                var labels = series["metric"] as? [String: String] ?? [:]
                labels["__name__"] = nil
                for (name, value) in rule.labels { labels[name] = value.replacingOccurrences(of: "ROOM", with: labels["room"] ?? "") }
                labels["alertname"] = rule.alert
                let key = "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
                let present = Set((series["values"] as? [[Any]] ?? []).map { Int64((($0[0] as? NSNumber)?.doubleValue ?? 0) * 1000) })
                // Prometheus's state machine, written out plainly.
                var activeAt: Int64?
                var firing = false
                var t = start
                while t <= lastMs {
                    if present.contains(t) {
                        if activeAt == nil {
                            activeAt = t
                            expected.append("\(t) pending \(key)")
                        }
                        if !firing, t - activeAt! >= rule.forMs {
                            firing = true
                            expected.append("\(t) firing \(key)")
                        }
                    } else if activeAt != nil {
                        if firing { expected.append("\(t) resolved \(key)") }
                        activeAt = nil
                        firing = false
                    }
                    t += rule.intervalMs
                }
            }
        }
        expected.sort()
        #expect(expected.count > 10, "the rules should change state often over the samples")
        #expect(ours == expected)
        let warm = transitions.first { $0["alert"] as? String == "Warm" && $0["state"] as? String == "firing" }
        let room = (warm?["labels"] as? [String: String])?["room"] ?? "?"
        let summary = (warm?["annotations"] as? [String: String])?["summary"] ?? ""
        #expect(summary.hasPrefix("\(room) is at "), "\(summary)")
        #expect(summary.hasSuffix(" degrees"))
    }

    @Test func recordingRulesAndUnknownTemplates_areRefusedWhole() async throws {
        let directory = try TemporaryDirectory("promrules")
        defer { directory.remove() }
        let imported = try await TachoCommand.run(["import", "--data", directory.path], stdin: ConformanceData.ndjson)
        #expect(imported.status == 0)
        for (text, message) in [
            ("groups:\n  - name: g\n    rules:\n      - record: x\n        expr: up\n", "recording rules are not supported"),
            ("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations:\n          s: \"{{ humanize $value }}\"\n", "is not supported"),
            ("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(\n", "parse error"),
            ("groups:\n  - name: g\n    interval: soon\n    rules: []\n", "not a duration"),
        ] {
            let path = directory.path + "/bad.yml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let run = try await TachoCommand.run(["alerts", "backtest", "--rules", path, "--data", directory.path, "--quiet"])
            #expect(run.status != 0)
            #expect(run.stderr.contains(message), "\(run.stderr)")
        }
    }
}
