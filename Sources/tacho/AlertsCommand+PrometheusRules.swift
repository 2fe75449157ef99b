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
        var firstNs = Int64.max
        var lastNs = Int64.min
        try scan.forEachBatch(progress: "backtest", quiet: quiet) { batch, _ in
            for event in batch {
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
        let output = format == .json ? Self.json(transitions) : Self.text(transitions, groups: groups, fromMs: fromMs, toMs: toMs)
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    static func text(_ transitions: [AlertTransition], groups: [AlertingRuleGroup], fromMs: Int64, toMs: Int64) -> String {
        let rules = groups.reduce(0) { $0 + $1.rules.count }
        var out = "Prometheus rules: \(rules) alerting rule(s) in \(groups.count) group(s), evaluated from \(EventTime.formatRFC3339(fromMs * 1_000_000)) to \(EventTime.formatRFC3339(toMs * 1_000_000))\n"
        out += "\(transitions.count) transition(s)\n"
        for transition in transitions {
            out += "\(EventTime.formatRFC3339(transition.atMs * 1_000_000))  \(transition.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(transition.labels)  value=\(PromNumber.format(transition.value))"
            for (name, value) in transition.annotations.sorted(by: { $0.key < $1.key }) { out += "  \(name)=\(value.debugDescription)" }
            out += "\n"
        }
        return out
    }

    static func json(_ transitions: [AlertTransition]) -> String {
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
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self) + "\n"
    }
}
