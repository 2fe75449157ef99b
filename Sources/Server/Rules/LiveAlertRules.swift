import EventStore
import Foundation
import Hummingbird
import Logging
import Projections
import PromQL
import ServiceLifecycle

/// `tacho serve --rules rules.yml`: Prometheus alerting-rule groups evaluated live over
/// the log's metric series, each group at every multiple of its interval, with the
/// same state machine the back-test replays (`AlertRuleState`). A rule's alert going
/// firing appends an `alert` event, its resolution an `alert_resolve`, stamped with
/// the evaluation time, so the alert views, the stream, replay and `?at=` show them.
///
/// The state lives in memory: after a restart an alert already firing waits its `for`
/// again, and one that resolved while the server was down is not resolved in the log.
struct LiveAlertRules: Service {
    let groups: [AlertingRuleGroup]
    let log: any MetricScanning
    let appender: any EventAppending
    let logger: Logger
    var limits = PromAPIController<BasicRequestContext>.Limits()
    var nowMs: @Sendable () -> Int64 = { EventTime.nowNs() / 1_000_000 }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { tasks in
                for group in groups { tasks.addTask { await self.evaluateForever(group) } }
            }
        }
    }

    private func evaluateForever(_ group: AlertingRuleGroup) async {
        var states = group.rules.map { AlertRuleState(rule: $0, group: group.name) }
        while !Task.isCancelled {
            let now = nowMs()
            // At each multiple of the interval, as the back-test does.
            let at = (now / group.intervalMs + 1) * group.intervalMs
            do { try await Task.sleep(for: .milliseconds(at - now)) } catch { return }
            var events: [Event] = []
            for index in states.indices {
                do {
                    let results = try await evaluate(states[index].rule.expr, atMs: at, stepMs: group.intervalMs)
                    events += states[index].evaluate(atMs: at, results: results).compactMap(Self.event)
                } catch {
                    logger.error("rule evaluation failed", metadata: [
                        "group": "\(group.name)", "alert": "\(states[index].rule.name)", "error": "\(error)",
                    ])
                }
            }
            guard !events.isEmpty else { continue }
            do { _ = try await appender.append(events) } catch {
                logger.error("appending the rules' alerts failed", metadata: ["group": "\(group.name)", "events": "\(events.count)", "error": "\(error)"])
            }
        }
    }

    /// The expression's series and values at `atMs`, evaluated off the cooperative pool.
    private func evaluate(_ expr: Expr, atMs: Int64, stepMs: Int64) async throws -> [(labels: PromQL.Labels, value: Double)] {
        var options = QueryOptions()
        options.maxSamples = limits.samplesMax
        options.lookbackDeltaMs = limits.lookbackDeltaMs
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(limits.timeoutMs))
        options.isPastDeadline = { ContinuousClock.now >= deadline }
        var source = LogSampleSource(log: log, samplesMax: limits.samplesMax, eventsScannedMax: limits.eventsScannedMax)
        source.isPastDeadline = options.isPastDeadline
        let series = try await BlockingWork.run { [source, options] in
            try Evaluator.range(expr, startMs: atMs, endMs: atMs, stepMs: stepMs, source: source, options: options)
        }
        return series.compactMap { entry in entry.samples.first.map { (entry.labels, $0.value) } }
    }

    /// The log event of a transition: firing raises, resolved resolves; pending is not logged.
    static func event(_ transition: AlertTransition) -> Event? {
        let id = PrometheusRuleAlert.id(transition)
        let timeNs = transition.atMs * 1_000_000
        switch transition.state {
        case .pending:
            return nil
        case .resolved:
            return Event(timeNs: timeNs, body: .alertResolve(AlertResolve(id: id)))
        case .firing:
            let severity = AlertSeverity(rawValue: transition.labels["severity"].lowercased()) ?? .warning
            let message = transition.annotations["summary"] ?? transition.annotations["description"] ?? "\(transition.rule) is firing"
            return Event(timeNs: timeNs, body: .alert(AlertRaised(
                id: id, severity: severity, kind: PrometheusRuleAlert.kind,
                message: MessageTemplate.truncated(message, bytesMax: EventLimits.textBytesMax),
                value: transition.value.isFinite ? transition.value : nil, dataJSON: details(transition))))
        }
    }

    /// The alert's `data`: annotations, group, labels and rule, in canonical form. A rule
    /// file's annotations and labels have no size limit and an event's data has one
    /// (`EventLimits.dataBytesMax`): past it the annotations go, then the labels.
    static func details(_ transition: AlertTransition) -> String {
        let choices: [(annotations: Bool, labels: Bool)] = [(true, true), (false, true), (false, false)]
        for parts in choices {
            var details = JSONWriter(reservingCapacity: 256)
            details.beginObject()
            if parts.annotations {
                details.key("annotations")
                details.beginObject()
                for (name, value) in transition.annotations.sorted(by: { $0.key < $1.key }) { details.member(name, value) }
                details.endObject()
            }
            details.member("group", MessageTemplate.truncated(transition.group, bytesMax: EventLimits.textBytesMax))
            if parts.labels {
                details.key("labels")
                details.beginObject()
                for pair in transition.labels.pairs { details.member(pair.name, pair.value) }
                details.endObject()
            }
            details.member("rule", MessageTemplate.truncated(transition.rule, bytesMax: EventLimits.textBytesMax))
            details.endObject()
            if details.bytes.count <= EventLimits.dataBytesMax { return String(decoding: details.bytes, as: UTF8.self) }
        }
        preconditionFailure("group and rule cut to \(EventLimits.textBytesMax) bytes each fit in \(EventLimits.dataBytesMax)")
    }
}

/// How a Prometheus rule's alert appears in the log: shared by the live evaluation and
/// the back-test's diff against what was recorded.
public enum PrometheusRuleAlert {
    public static let kind = "prometheus_rule"

    /// The alert's id: its group and its labels (which hold `alertname`). An id longer
    /// than an event name may be (`EventLimits.nameBytesMax`) names the labels by their
    /// FNV-1a 64 hash instead, as the native rules' ids do.
    public static func id(_ transition: AlertTransition) -> String {
        let plain = "\(transition.group)/\(transition.labels)"
        if plain.utf8.count <= EventLimits.nameBytesMax { return plain }
        let hash = AlertIdentity.fnv1a64Hex("\(transition.labels)")
        return MessageTemplate.truncated(transition.group, bytesMax: EventLimits.nameBytesMax - hash.utf8.count - 1) + "/" + hash
    }
}
