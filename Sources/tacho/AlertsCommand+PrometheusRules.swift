import EventStore
import Foundation
import PromQL
import Server

/// The back-test of a Prometheus rule file: every group evaluated at each multiple
/// of its interval over the range's metric series, with `for` and `keep_firing_for`,
/// reporting each pending, firing and resolved transition.
extension AlertsBacktestCommand {
    func runPrometheusRules(_ text: String) throws {
        guard text.utf8.count <= Self.ruleFileBytesMax else {
            throw CommandFailure("the rule file \(rules) is \(text.utf8.count) bytes, over the \(Self.ruleFileBytesMax)-byte limit")
        }
        let groups: [AlertingRuleGroup]
        do { groups = try PrometheusRuleFile.parse(text) } catch let failure as CommandFailure {
            throw CommandFailure("rule file \(rules): \(failure.description)")
        }
        let scan = try RangeScan(path: dataOptions.data, from: from, to: to)
        var collector = MetricSeriesCollector()
        var recordedAlerts = PrometheusAlertDiff.Collector()
        var firstNs = Int64.max
        var lastNs = Int64.min
        try scan.forEachBatch(progress: "backtest", quiet: quiet) { batch, _ in
            for event in batch {
                recordedAlerts.add(event)
                guard case .metric(let sample) = event.body else { continue }
                collector.add(timeNs: event.timeNs, sample)
                firstNs = min(firstNs, event.timeNs)
                lastNs = max(lastNs, event.timeNs)
            }
            return true
        }
        guard collector.sampleCount > 0 else { throw CommandFailure("the range holds no metric samples to evaluate the rules over") }
        let fromMs = MetricSeriesCollector.milliseconds(from?.nanos ?? firstNs)
        // --to is exclusive; the last evaluation is at or before the newest sample otherwise.
        let toMs = to.map { MetricSeriesCollector.milliseconds($0.nanos) - 1 } ?? MetricSeriesCollector.milliseconds(lastNs)
        let source = InMemorySampleSource(collector.series().map(\.series))
        let transitions: [AlertTransition]
        do { transitions = try AlertBacktest.run(groups, fromMs: fromMs, toMs: toMs, source: source) } catch {
            throw CommandFailure("evaluating the rules: \(error.message)")
        }
        let diff = PrometheusAlertDiff(
            // Only what the back-test evaluated can be compared.
            tested: transitions, recorded: recordedAlerts.recorded.filter { $0.atMs >= fromMs && $0.atMs <= toMs },
            intervalMs: Dictionary(groups.map { ($0.name, $0.intervalMs) }, uniquingKeysWith: max))
        let output = format == .json
            ? Self.json(transitions, diff: diff) : Self.text(transitions, groups: groups, fromMs: fromMs, toMs: toMs, diff: diff)
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    static func text(_ transitions: [AlertTransition], groups: [AlertingRuleGroup], fromMs: Int64, toMs: Int64, diff: PrometheusAlertDiff) -> String {
        let rules = groups.reduce(0) { $0 + $1.rules.count }
        var out = "Prometheus rules: \(rules) alerting rule(s) in \(groups.count) group(s), evaluated from \(EventTime.formatRFC3339(fromMs * 1_000_000)) to \(EventTime.formatRFC3339(toMs * 1_000_000))\n"
        out += "\(transitions.count) transition(s)\n"
        for transition in transitions {
            out += "\(EventTime.formatRFC3339(transition.atMs * 1_000_000))  \(transition.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(transition.labels)  value=\(PromNumber.format(transition.value))"
            for (name, value) in transition.annotations.sorted(by: { $0.key < $1.key }) { out += "  \(name)=\(value.debugDescription)" }
            out += "\n"
        }
        out += "Against the alerts recorded by `tacho serve --rules`: \(diff.matched.count) matched, "
            + "\(diff.onlyTested.count) only in the back-test, \(diff.onlyRecorded.count) only in the log\n"
        for transition in diff.onlyTested {
            out += "  only in the back-test: \(EventTime.formatRFC3339(transition.atMs * 1_000_000))  \(transition.state.rawValue) \(PrometheusRuleAlert.id(transition))\n"
        }
        for recorded in diff.onlyRecorded {
            out += "  only in the log:       \(EventTime.formatRFC3339(recorded.atMs * 1_000_000))  \(recorded.state.rawValue) \(recorded.id)\n"
        }
        return out
    }

    static func json(_ transitions: [AlertTransition], diff: PrometheusAlertDiff) -> String {
        var writer = JSONWriter(reservingCapacity: 256 * max(1, transitions.count))
        writer.beginObject()
        writer.key("transitions")
        writer.beginArray()
        for transition in transitions {
            writer.beginObject()
            writer.member("group", transition.group)
            writer.member("alert", transition.rule)
            writer.member("state", transition.state.rawValue)
            writer.member("time", EventTime.formatRFC3339(transition.atMs * 1_000_000))
            writer.member("timeMs", transition.atMs)
            writer.key("labels")
            writer.beginObject()
            for pair in transition.labels.pairs { writer.member(pair.name, pair.value) }
            writer.endObject()
            writer.key("annotations")
            writer.beginObject()
            for (name, value) in transition.annotations.sorted(by: { $0.key < $1.key }) { writer.member(name, value) }
            writer.endObject()
            writer.member("value", PromNumber.format(transition.value))
            writer.endObject()
        }
        writer.endArray()
        writer.key("diff")
        writer.beginObject()
        writer.member("matched", Int64(diff.matched.count))
        writer.key("onlyBacktest")
        writer.beginArray()
        for transition in diff.onlyTested {
            writer.beginObject()
            writer.member("id", PrometheusRuleAlert.id(transition))
            writer.member("state", transition.state.rawValue)
            writer.member("timeMs", transition.atMs)
            writer.endObject()
        }
        writer.endArray()
        writer.key("onlyRecorded")
        writer.beginArray()
        for recorded in diff.onlyRecorded {
            writer.beginObject()
            writer.member("id", recorded.id)
            writer.member("state", recorded.state.rawValue)
            writer.member("timeMs", recorded.atMs)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self) + "\n"
    }
}
