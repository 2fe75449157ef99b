import Foundation
import PromQL
import Testing

/// Random PromQL texts, well formed and not (a fixed seed: the same ones every run),
/// parsed by Tacho and sent to a real Prometheus 2.42: Tacho refuses a text exactly
/// where Prometheus's parser refuses it, with the same message, place and words.
/// Left out of the vocabulary: a lone `@` where no timestamp follows (2.42 names that
/// token `"<Item 57385>"`), and functions Tacho does not support.
@Suite struct PromQLParseConformanceTests {
    /// The texts: selectors, numbers (octal and hexadecimal too), strings, calls,
    /// aggregations, subqueries and modifiers joined by operators and their modifiers,
    /// with stray punctuation and keywords mixed in.
    struct QueryGenerator {
        var state: UInt64

        mutating func below(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }

        mutating func pick(_ choices: [String]) -> String { choices[below(choices.count)] }

        static let atoms = [
            "x", "up", "sum", "by", "offset", #"foo{a="b"}"#, #"foo{a=~"x.*"}"#, "1", "2.5", "010", "0x1F", #""s""#, "rate(x[5m])", "x[5m]",
            "x[5m:1m]", "(x)", "abs(x)", "time()", "vector(1)", "topk(2, x)", #"count_values("v", x)"#, "sum by (a) (x)", "x offset 5m",
            "x @ 100", "-x", "histogram_quantile(0.9, x)", #"label_replace(x, "a", "$1", "b", "(.*)")"#, #"label_join(x, "a", ",")"#,
            "round(x, 1, 2)", "1e3", "5m", "x offset -5m", "x[0s]", "x offset 0s", "x @ start() [5m]", "x @ NaN",
        ]
        static let operators = [
            "+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<=", "and", "or", "unless", "atan2", "== bool", "> bool", "+ on(a)",
            "* ignoring(b)", "+ on(a) group_left", "and on(a)", "/ on(a) group_right(c)", "+ bool",
        ]
        static let strays = ["(", ")", "[", "]", "{", "}", ",", "[5m]", "offset", "bool", "by (a)", "", " ", "[5m:]", "}", "x{a by}"]
        static let wrappers = ["sum", "max", "abs", "rate", "topk", "avg_over_time", "sort", "clamp_min", "nosuch", "by"]

        mutating func query(depth: Int = 0) -> String {
            let roll = below(10)
            if depth > 2 || roll < 4 { return pick(Self.atoms) }
            if roll < 7 { return query(depth: depth + 1) + " " + pick(Self.operators) + " " + query(depth: depth + 1) }
            if roll < 8 { return pick(Self.wrappers) + "(" + query(depth: depth + 1) + ")" }
            if roll < 9 { return "(" + query(depth: depth + 1) + ")" }
            return query(depth: depth + 1) + " " + pick(Self.strays)
        }
    }

    @Test func randomTexts_areRefusedWhereAndAsPrometheus242RefusesThem() async throws {
        guard let prometheus = try await PrometheusServer.start(openMetrics: ConformanceData.openMetrics) else { return }
        defer { prometheus.stop() }
        var generator = QueryGenerator(state: 20_261_204)
        let prefix = #"invalid parameter "query": "#
        var refused = 0
        var failures: [String] = []
        for _ in 0..<600 {
            let query = generator.query()
            let answer = try jsonObject(try await prometheus.get("/api/v1/query?" + formQuery([("query", query), ("time", "1700000000")])))
            // A parse error; anything else (an answer, an evaluation's error) means Prometheus parsed it.
            let theirs = (answer["error"] as? String).flatMap { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : nil }
            let ours: String?
            do {
                _ = try Parser.parse(query)
                ours = nil
            } catch {
                ours = error.message
            }
            if theirs != nil { refused += 1 }
            if ours != theirs { failures.append("\(query.debugDescription): Tacho \(ours ?? "parses it"), Prometheus \(theirs ?? "parses it")") }
        }
        print("PromQL parse conformance: 600 texts, \(refused) refused by Prometheus 2.42, \(failures.count) answered otherwise by Tacho")
        #expect(refused > 100, "the texts exercise the errors")
        for failure in failures.prefix(20) { Issue.record(Comment(rawValue: failure)) }
    }
}
