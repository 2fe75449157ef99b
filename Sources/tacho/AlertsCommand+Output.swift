import EventStore
import Projections

/// The back-test report as text.
enum BacktestText {
    static func text(_ report: BacktestReport) -> String {
        var lines = ["Back-test over \(report.eventsRead) events: \(report.fired.count) alerts would have fired, \(report.recorded.count) recorded."]
        if report.truncated { lines.append("(more than \(RuleLimits.backtestAlertsMax) alerts on one side: later ones left out)") }
        lines.append("")
        lines.append("Would have fired:")
        if report.fired.isEmpty { lines.append("  none") }
        for alert in report.fired { lines.append("  " + line(alert)) }
        lines.append("")
        lines.append("Compared with the recorded alerts:")
        lines.append("  in both: \(report.diff.both.count)")
        for match in report.diff.both where match.backtest.firedAtNs != match.recorded.firedAtNs || match.backtest.resolvedAtNs != match.recorded.resolvedAtNs {
            lines.append("    ~ \(match.backtest.id): fired \(time(match.backtest.firedAtNs)) (recorded \(time(match.recorded.firedAtNs)))")
        }
        lines.append("  only in the back-test: \(report.diff.onlyBacktest.count)")
        for alert in report.diff.onlyBacktest { lines.append("    + " + line(alert)) }
        lines.append("  only recorded: \(report.diff.onlyRecorded.count)")
        for alert in report.diff.onlyRecorded { lines.append("    - " + line(alert)) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func line(_ alert: AlertOccurrence) -> String {
        let subject = alert.connection ?? alert.metric ?? "-"
        let resolved = alert.resolvedAtNs.map { "resolved \(time($0))" } ?? "not resolved"
        return "\(time(alert.firedAtNs))  \(alert.severity.rawValue)  \(alert.kind)  \(subject)  \(resolved)  \(alert.id)"
    }

    static func time(_ ns: Int64) -> String { EventTime.formatRFC3339(ns) }
}

/// The back-test report as JSON (`--format json`).
struct BacktestJSON: Encodable {
    struct Alert: Encodable {
        let id: String
        let kind: String
        let severity: String
        let connection: String?
        let metric: String?
        let message: String
        let fired: String
        let resolved: String?

        init(_ alert: AlertOccurrence) {
            id = alert.id
            kind = alert.kind
            severity = alert.severity.rawValue
            connection = alert.connection
            metric = alert.metric
            message = alert.message
            fired = EventTime.formatRFC3339(alert.firedAtNs)
            resolved = alert.resolvedAtNs.map(EventTime.formatRFC3339)
        }
    }

    struct Pair: Encodable {
        let backtest: Alert
        let recorded: Alert
    }

    let eventsRead: UInt64
    let truncated: Bool
    let fired: [Alert]
    let recorded: [Alert]
    let both: [Pair]
    let onlyBacktest: [Alert]
    let onlyRecorded: [Alert]

    init(_ report: BacktestReport) {
        eventsRead = report.eventsRead
        truncated = report.truncated
        fired = report.fired.map(Alert.init)
        recorded = report.recorded.map(Alert.init)
        both = report.diff.both.map { Pair(backtest: Alert($0.backtest), recorded: Alert($0.recorded)) }
        onlyBacktest = report.diff.onlyBacktest.map(Alert.init)
        onlyRecorded = report.diff.onlyRecorded.map(Alert.init)
    }
}
