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
/// Each evaluation also writes Prometheus's `ALERTS` and `ALERTS_FOR_STATE` series
/// (`AlertSeries`), which PromQL then reads as any series.
///
/// The state lives in memory and is rebuilt at start from the log, which holds both
/// the samples and the alerts appended before (Prometheus restores its `for` state
/// from its `ALERTS_FOR_STATE` series instead): see `restore`.
struct LiveAlertRules: Service {
    let groups: [AlertingRuleGroup]
    let log: any MetricScanning
    let ledger: any RuleAlertLedger
    let appender: any EventAppending
    /// Where each round's rule states go, for Prometheus's rules and alerts APIs.
    let board: RuleStatusBoard
    let logger: Logger
    var limits = PromQueryLimits()
    var nowMs: @Sendable () -> Int64 = { EventTime.nowNs() / 1_000_000 }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { tasks in
                for group in groups { tasks.addTask { await self.evaluateForever(group) } }
            }
        }
    }

    /// Evaluations `restore` replays per group at most (a `for` of a day at 15 s is 5,760).
    static let restoreEvaluationsMax: Int64 = 10_000

    private func evaluateForever(_ group: AlertingRuleGroup) async {
        var states = await restore(group)
        // Restored alerts are listed at once; health stays unknown until a round runs.
        var status = board.snapshot.first { $0.group.name == group.name }!
        for index in states.indices { status.rules[index].alerts = states[index].alerts }
        board.publish(status)
        var alertSeries = states.map { _ in AlertSeries() }
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let now = nowMs()
            // At each multiple of the interval, as the back-test does.
            let at = (now / group.intervalMs + 1) * group.intervalMs
            do { try await Task.sleep(for: .milliseconds(at - now)) } catch { return }
            var events: [Event] = []
            status.lastEvaluationNs = nowMs() * 1_000_000
            let roundStart = clock.now
            for index in states.indices {
                let ruleStart = clock.now
                status.rules[index].lastEvaluationNs = nowMs() * 1_000_000
                do {
                    let results = try await evaluate(states[index].rule.expr, atMs: at, stepMs: group.intervalMs)
                    events += states[index].evaluate(atMs: at, results: results).compactMap(Self.event)
                    events += alertSeries[index].events(states[index].alerts, atMs: at)
                    status.rules[index].health = .ok
                } catch {
                    // As Prometheus: the rule's alerts stay as they were, its health says why.
                    status.rules[index].health = .failed(Self.message(error))
                    logger.error("rule evaluation failed", metadata: [
                        "group": "\(group.name)", "alert": "\(states[index].rule.name)", "error": "\(error)",
                    ])
                }
                status.rules[index].alerts = states[index].alerts
                status.rules[index].evaluationSeconds = Self.seconds(clock.now - ruleStart)
            }
            status.evaluationSeconds = Self.seconds(clock.now - roundStart)
            board.publish(status)
            guard !events.isEmpty else { continue }
            do { _ = try await appender.append(events) } catch {
                logger.error("appending the rules' alerts failed", metadata: ["group": "\(group.name)", "events": "\(events.count)", "error": "\(error)"])
            }
        }
    }

    /// Rebuilds a group's states at start as if the server had evaluated the group all
    /// along: every rule is evaluated at each multiple of the interval over the last
    /// longest `for` + `keep_firing_for` (and two intervals more) of recorded samples.
    /// Then the log is brought into line with the result: an alert firing now that the
    /// log does not hold open is raised (stamped when it went firing); one the log holds
    /// open that is no longer firing (it resolved while the server was down) is
    /// resolved. An alert the log already holds open and still firing is not raised again.
    func restore(_ group: AlertingRuleGroup) async -> [AlertRuleState] {
        var states = group.rules.map { AlertRuleState(rule: $0, group: group.name) }
        let interval = group.intervalMs
        let last = (nowMs() / interval) * interval
        let holdMs = group.rules.map { $0.forMs + $0.keepFiringForMs }.max() ?? 0
        let steps = min(holdMs / interval + 2, Self.restoreEvaluationsMax)
        var firing: [String: AlertTransition] = [:]
        for step in stride(from: steps, through: 0, by: -1) {
            let at = last - step * interval
            for index in states.indices {
                let results: [(labels: PromQL.Labels, value: Double)]
                do { results = try await evaluate(states[index].rule.expr, atMs: at, stepMs: interval) } catch {
                    logger.error("rule evaluation failed while restoring", metadata: [
                        "group": "\(group.name)", "alert": "\(states[index].rule.name)", "error": "\(error)",
                    ])
                    continue
                }
                for transition in states[index].evaluate(atMs: at, results: results) {
                    switch transition.state {
                    case .firing: firing[PrometheusRuleAlert.id(transition)] = transition
                    case .resolved: firing[PrometheusRuleAlert.id(transition)] = nil
                    case .pending: break
                    }
                }
            }
        }
        // Ids are the group's name, a slash and the labels (see `PrometheusRuleAlert.id`).
        let open = await ledger.openRuleAlertIDs().filter { $0.hasPrefix(group.name + "/") }
        var events = firing.filter { !open.contains($0.key) }.values.sorted { $0.atMs < $1.atMs }.compactMap(Self.event)
        let resolved = open.filter { firing[$0] == nil }.sorted()
        events += resolved.map { Event(timeNs: last * 1_000_000, body: .alertResolve(AlertResolve(id: $0))) }
        if !events.isEmpty {
            do { _ = try await appender.append(events) } catch {
                logger.error("appending the restored alerts failed", metadata: ["group": "\(group.name)", "error": "\(error)"])
            }
        }
        logger.info("rule group restored from the log", metadata: [
            "group": "\(group.name)", "evaluations": "\(steps + 1)", "firing": "\(firing.count)",
            "raised": "\(events.count - resolved.count)", "resolved": "\(resolved.count)",
        ])
        return states
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

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// What a failed evaluation says in the rule's `lastError`.
    static func message(_ error: any Error) -> String {
        switch error {
        case let error as PromQLError: error.message
        case let error as PromAPIError: error.message
        default: String(describing: error)
        }
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

/// What the live rules read of the alerts the log already holds.
protocol RuleAlertLedger: Sendable {
    /// The ids of the `prometheus_rule` alerts the log holds open (raised, not
    /// resolved), read once the views cover the whole log.
    func openRuleAlertIDs() async -> Set<String>
}

extension Engine: RuleAlertLedger {
    func openRuleAlertIDs() async -> Set<String> {
        _ = await waitForViews(coveringBelow: log.highWaterMark, timeout: .seconds(60))
        let open = currentSnapshot().views.alerts.open.values
        return Set(open.filter { $0.raised.kind == PrometheusRuleAlert.kind && $0.status != .resolved }.map(\.raised.id))
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
