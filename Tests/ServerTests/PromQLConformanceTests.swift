import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// Every expression of fixtures/promql/conformance.txt, as instant queries at
/// several times and as range queries, answered by Tacho and by a real Prometheus
/// 2.42 over the same samples: the same result type, the same label sets, values
/// within 1e-9 relative (NaN equal to NaN), the same timestamps, and an error
/// exactly where Prometheus errs.
@Suite struct PromQLConformanceTests {
    static let base = Double(ConformanceData.baseMs) / 1000
    /// Inside the data, off the sample grid, at its end, within and past the lookback after it.
    static let instants = [base + 600, base + 1807.25, base + 3599, base + 3900, base + 4000]
    static let ranges: [(start: Double, end: Double, step: String)] = [(base + 300, base + 4000, "60"), (base + 1000, base + 2000, "37s")]

    @Test func everyExpression_answersAsPrometheus242_instantAndRange() async throws {
        let expressions = try ConformanceData.expressions()
        #expect(expressions.count >= 100)
        guard let prometheus = try await PrometheusServer.start(openMetrics: ConformanceData.openMetrics) else { return }
        defer { prometheus.stop() }
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await ingestConformanceSamples(client, app)
                var compared = 0
                var failures: [String] = []
                for expression in expressions {
                    var requests: [String] = Self.instants.map { "/api/v1/query?" + formQuery([("query", expression), ("time", String($0))]) }
                    requests += Self.ranges.map {
                        "/api/v1/query_range?" + formQuery([("query", expression), ("start", String($0.start)), ("end", String($0.end)), ("step", $0.step)])
                    }
                    for uri in requests {
                        let theirs = try await prometheus.get(uri)
                        let ours = try await client.execute(uri: uri, method: .get) { String(buffer: $0.body) }
                        if let difference = try PromAnswer.difference(ours: ours, theirs: theirs) {
                            failures.append("\(uri): \(difference)")
                        }
                        compared += 1
                    }
                }
                print("PromQL conformance: \(compared) answers compared with Prometheus 2.42 over \(expressions.count) expressions, \(failures.count) differ")
                for failure in failures.prefix(30) { Issue.record(Comment(rawValue: failure)) }
            }
        }
    }
}

/// Compares two Prometheus API answers.
enum PromAnswer {
    static func difference(ours: String, theirs: String) throws -> String? {
        let a = try jsonObject(ours)
        let b = try jsonObject(theirs)
        let statusA = a["status"] as? String
        let statusB = b["status"] as? String
        guard statusA == statusB else { return "status \(statusA ?? "-") (\(a["error"] ?? "")) vs Prometheus \(statusB ?? "-") (\(b["error"] ?? ""))" }
        if statusA == "error" {
            return a["errorType"] as? String == b["errorType"] as? String ? nil : "errorType \(a["errorType"] ?? "") vs \(b["errorType"] ?? "")"
        }
        guard let dataA = a["data"] as? [String: Any], let dataB = b["data"] as? [String: Any] else { return "no data" }
        let type = dataA["resultType"] as? String
        guard type == dataB["resultType"] as? String else { return "resultType \(type ?? "-") vs \(dataB["resultType"] ?? "-")" }
        switch type {
        case "scalar", "string":
            return point(dataA["result"], dataB["result"])
        default:
            let seriesA = try keyed(dataA["result"])
            let seriesB = try keyed(dataB["result"])
            guard Set(seriesA.keys) == Set(seriesB.keys) else {
                return "label sets: only Tacho \(Set(seriesA.keys).subtracting(seriesB.keys).sorted().prefix(3)), only Prometheus \(Set(seriesB.keys).subtracting(seriesA.keys).sorted().prefix(3))"
            }
            for (labels, entry) in seriesA {
                let other = seriesB[labels]!
                if type == "vector" {
                    if let difference = point(entry["value"], other["value"]) { return "\(labels): \(difference)" }
                } else {
                    let pointsA = entry["values"] as? [Any] ?? []
                    let pointsB = other["values"] as? [Any] ?? []
                    guard pointsA.count == pointsB.count else { return "\(labels): \(pointsA.count) points vs \(pointsB.count)" }
                    for (x, y) in zip(pointsA, pointsB) {
                        if let difference = point(x, y) { return "\(labels): \(difference)" }
                    }
                }
            }
            return nil
        }
    }

    private static func keyed(_ result: Any?) throws -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for entry in result as? [[String: Any]] ?? [] {
            let metric = (entry["metric"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            out["{\(metric)}"] = entry
        }
        return out
    }

    /// `[time, "value"]` pairs: times within a microsecond, values within 1e-9 relative;
    /// a value equal to the bit is written as Prometheus writes it (`1e-07`, not
    /// `0.0000001`, in a vector).
    private static func point(_ a: Any?, _ b: Any?) -> String? {
        guard let a = a as? [Any], let b = b as? [Any], a.count == 2, b.count == 2,
              let timeA = (a[0] as? NSNumber)?.doubleValue, let timeB = (b[0] as? NSNumber)?.doubleValue,
              let textA = a[1] as? String, let textB = b[1] as? String else { return "malformed point \(String(describing: a)) vs \(String(describing: b))" }
        guard abs(timeA - timeB) < 1e-6 else { return "time \(timeA) vs \(timeB)" }
        guard let x = Double(textA.replacingOccurrences(of: "Inf", with: "inf")), let y = Double(textB.replacingOccurrences(of: "Inf", with: "inf")) else {
            return textA == textB ? nil : "value \(textA) vs \(textB)"
        }
        if x.isNaN && y.isNaN { return nil }
        if x == y { return textA == textB ? nil : "value written \(textA) vs \(textB)" }
        return abs(x - y) <= 1e-9 * max(abs(x), abs(y)) ? nil : "value \(textA) vs \(textB)"
    }
}
