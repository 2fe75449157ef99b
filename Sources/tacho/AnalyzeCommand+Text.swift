import EventStore
import Foundation
import Projections

/// The human forms of an analysis: a readable text report and CSV figure tables.
enum AnalysisText {
    static func text(_ report: AnalysisReport) -> String {
        var lines: [String] = []
        let range = report.range
        lines.append("Range: \(range.first ?? "-") … \(range.last ?? "-") (\(range.seconds) s, \(range.events) events, offsets \(range.firstOffset.map(String.init) ?? "-")…\(range.lastOffset.map(String.init) ?? "-"))")
        lines.append("Events: " + report.eventCounts.keys.sorted().map { "\($0) \(report.eventCounts[$0]!)" }.joined(separator: ", "))
        let t = report.throughput
        lines.append("Throughput: \(t.operations) operations, mean \(f(t.meanPerSecond))/s, peak \(t.peakPerSecond)/s at \(t.peakAt ?? "-"), lowest \(t.lowestPerSecond)/s at \(t.lowestAt ?? "-")")
        lines.append("")
        lines.append(pad("Latency (ms)", 28) + pad("count", 10) + pad("p50", 10) + pad("p95", 10) + pad("p99", 10) + pad("p99.9", 10) + "max")
        lines.append(latencyRow("overall", report.latency.overall))
        for name in report.latency.byOperation.keys.sorted() { lines.append(latencyRow("  op " + name, report.latency.byOperation[name]!)) }
        for name in report.latency.byProtocol.keys.sorted() { lines.append(latencyRow("  protocol " + name, report.latency.byProtocol[name]!)) }
        lines.append("")
        let e = report.errors
        lines.append("Errors: \(e.failed) of \(e.operations) (\(f(e.errorPercent)) %)" + (e.worstMinute.map { "; worst minute \($0.minute): \(f($0.errorPercent)) % (\($0.failed) of \($0.operations))" } ?? ""))
        if !report.breakers.isEmpty {
            lines.append("Breakers:")
            for name in report.breakers.keys.sorted() {
                let b = report.breakers[name]!
                lines.append("  \(name): \(b.transitions) transitions, opened \(b.opened)×, open \(f(b.openSeconds)) s")
            }
        }
        let a = report.alerts
        lines.append("Alerts: \(a.raised) raised, \(a.acknowledged) acknowledged, \(a.resolved) resolved" + (a.meanSecondsToAcknowledge.map { "; mean time to acknowledge \(f($0)) s" } ?? "") + (a.meanSecondsToResolve.map { "; mean time to resolve \(f($0)) s" } ?? ""))
        lines.append("Cache: hit rate " + (report.cache.hitRate.map { f($0 * 100) + " %" } ?? "-") + " (\(report.cache.hits) hits, \(report.cache.misses) misses)")
        if !report.cache.perMinute.isEmpty {
            lines.append("  per minute: " + report.cache.perMinute.map { "\(AnalysisText.clock($0.minute)) \(f($0.value * 100))%" }.joined(separator: "  "))
        }
        lines.append("Optimizer: \(report.optimizations.count) changes")
        for step in report.optimizations {
            lines.append("  \(step.at) \(step.mode): efficiency \(step.efficiencyBefore.map { f($0) } ?? "-") → \(f(step.efficiencyAfter)), batch \(f(step.batchSize)), timeout \(f(step.batchTimeoutMs)) ms" + (step.reason.map { " (\($0))" } ?? ""))
        }
        let h = report.health
        lines.append("Health: min " + (h.min.map { "\(f($0.value)) at \($0.minute)" } ?? "-") + ", max " + (h.max.map { "\(f($0.value)) at \($0.minute)" } ?? "-"))
        if !h.perMinute.isEmpty {
            lines.append("  per minute: " + h.perMinute.map { "\(AnalysisText.clock($0.minute)) \(f($0.value))" }.joined(separator: "  "))
        }
        for change in h.statusChanges { lines.append("  \(change.minute): \(change.from) → \(change.to)") }
        lines.append("")
        lines.append("Findings:")
        if report.findings.isEmpty { lines.append("  nothing notable") }
        for finding in report.findings { lines.append("  - " + finding) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func text(_ comparison: AnalysisComparison) -> String {
        var lines = ["Compared with the baseline:", pad("figure", 48) + pad("current", 16) + pad("baseline", 16) + "change"]
        for row in comparison.rows {
            lines.append(pad(row.figure, 48) + pad(row.current.map(f) ?? "-", 16) + pad(row.baseline.map(f) ?? "-", 16)
                + (row.changePercent.map { ($0 > 0 ? "+" : "") + f($0) + " %" } ?? "-"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func csv(_ report: AnalysisReport) -> String {
        "figure,value\n" + report.figures().map { "\(csvField($0.figure)),\(f($0.value))" }.joined(separator: "\n") + "\n"
    }

    static func csv(_ comparison: AnalysisComparison) -> String {
        "figure,current,baseline,change_percent\n" + comparison.rows.map { row in
            [csvField(row.figure), row.current.map(f) ?? "", row.baseline.map(f) ?? "", row.changePercent.map(f) ?? ""].joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }

    private static func latencyRow(_ label: String, _ s: LatencySummary) -> String {
        pad(label, 28) + pad(String(s.count), 10) + pad(f(s.p50Ms), 10) + pad(f(s.p95Ms), 10) + pad(f(s.p99Ms), 10) + pad(f(s.p999Ms), 10) + f(s.maxMs)
    }

    static func clock(_ rfc3339: String) -> String {
        guard let t = rfc3339.firstIndex(of: "T") else { return rfc3339 }
        return String(rfc3339[rfc3339.index(after: t)...].prefix(5))
    }

    static func f(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.3f", value).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
