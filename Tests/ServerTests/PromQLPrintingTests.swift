import Foundation
import PromQL
import Testing

/// Expressions printed as Prometheus 2.42 prints them (`Expr.description`, the `query`
/// of `/api/v1/rules`): every instant and scalar expression of the conformance table
/// and the spellings below are loaded into a real Prometheus as alerting rules, and
/// Tacho's print of each must equal the `query` Prometheus lists for it.
@Suite struct PromQLPrintingTests {
    static let spellings = [
        #"sum  by(job)(rate(http_requests_total{method="get",code=~"5.."}[5m]))"#,
        #"{__name__="up", job="a"}"#,
        #"up{job="a"} offset -5m"#,
        #"rate(up[90m] offset 1d)"#,
        #"rate(up[1h30m] @ 1700000000.5)"#,
        #"up @ start() offset 10s"#,
        #"max_over_time(rate(up[5m])[1h:1m] @ end())"#,
        #"avg_over_time(up[10m:])"#,
        #"up > bool on(job, instance) group_left(owner) info"#,
        #"up * ignoring(instance) group_right() info"#,
        #"up and on() vector(1)"#,
        #"count_values without(instance) ("value", up)"#,
        #"topk(3, -up) / 1e6 + 0.0001 - 123456789 * +1"#,
        #"label_replace(up, "dst", "$1-\"x\"\n", "src", "(.*)")"#,
        #"-(up ^ 2) % 3 atan2 up"#,
        #"sum by () (up) unless sum without () (up)"#,
        #"absent(nonexistent{a!="b", c!~"d|e"})"#,
        #"histogram_quantile(0.99, sum by (le) (rate(x_bucket[2w])))"#,
    ]

    static func yamlQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    @Test func everyExpression_printsAsPrometheus242ListsItInItsRulesAPI() async throws {
        guard let binary = ExternalProgram.find("prometheus") else {
            print("SKIP printing: no 'prometheus' on PATH (apt-get install prometheus; tools/test installs it)")
            return
        }
        var expressions: [String] = []
        // The table's expressions that are errors by design are left out (a rule file
        // holding one is refused whole); the spellings must all parse.
        for text in try ConformanceData.expressions() {
            guard let expr = try? Parser.parse(text) else { continue }
            if expr.type == .vector || expr.type == .scalar { expressions.append(text) }
        }
        for text in Self.spellings {
            let expr = try Parser.parse(text)
            #expect(expr.type == .vector || expr.type == .scalar, "\(text)")
            expressions.append(text)
        }
        #expect(expressions.count > 150)
        let work = try TemporaryDirectory("prom-printing")
        defer { work.remove() }
        var rules = "groups:\n  - name: printing\n    interval: 1h\n    rules:\n"
        for (index, text) in expressions.enumerated() {
            rules += "      - alert: R\(index)\n        expr: \(Self.yamlQuoted(text))\n"
        }
        try rules.write(toFile: work.path + "/rules.yml", atomically: true, encoding: .utf8)
        try "rule_files: ['\(work.path)/rules.yml']\n".write(toFile: work.path + "/prometheus.yml", atomically: true, encoding: .utf8)
        let port = try freeLoopbackPort()
        let prometheus = try ExternalProgram(binary, [
            "--config.file=\(work.path)/prometheus.yml", "--storage.tsdb.path=\(work.path)/data", "--web.listen-address=127.0.0.1:\(port)",
        ], outputPath: work.path + "/prometheus.log")
        defer { prometheus.stop() }
        var listed: [String: String] = [:]
        let loaded = await poll(timeout: .seconds(30)) {
            guard let answer = try? await httpGet("http://127.0.0.1:\(port)/api/v1/rules", timeoutSeconds: 2), answer.status == 200,
                  let data = try? jsonObject(answer.body)["data"] as? [String: Any],
                  let groups = data["groups"] as? [[String: Any]], let group = groups.first else { return false }
            for rule in group["rules"] as? [[String: Any]] ?? [] {
                if let name = rule["name"] as? String, let query = rule["query"] as? String { listed[name] = query }
            }
            return listed.count == expressions.count
        }
        #expect(loaded, "prometheus listed \(listed.count) of \(expressions.count) rules; it said:\n\(prometheus.output.suffix(2000))")
        for (index, text) in expressions.enumerated() {
            let printed = try Parser.parse(text).description
            #expect(printed == listed["R\(index)"], "\(text)")
            // What is printed parses, and prints the same again (matchers keep their sorted order).
            #expect(try Parser.parse(printed).description == printed, "\(text) printed as \(printed)")
        }
    }

    @Test(arguments: [
        (1500, "1s500ms"), (5_400_000, "1h30m"), (86_400_000 * 90, "90d"), (86_400_000 * 14, "2w"),
        (86_400_000 * 365, "1y"), (86_400_000 * 366, "366d"),
    ] as [(Int64, String)])
    func durations_printAsPrometheusModelDuration(ms: Int64, expected: String) throws {
        #expect(try Parser.parse("rate(up[\(expected)])").description == "rate(up[\(expected)])")
        #expect(try Parser.parse("up offset \(ms)ms").description == "up offset \(expected)")
    }
}
