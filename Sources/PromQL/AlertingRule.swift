import Foundation

/// A Prometheus alerting rule: fires for each series of `expr`'s result once it
/// has been present for `forMs`, and stays firing `keepFiringForMs` after it goes.
public struct AlertingRule: Sendable, Equatable {
    public var name: String
    public var expr: Expr
    public var forMs: Int64
    public var keepFiringForMs: Int64
    /// Templates: `{{ $labels.name }}`, `{{ $value }}` (also `.Labels.name`, `.Value`).
    public var labels: [String: String]
    public var annotations: [String: String]

    public init(name: String, expr: Expr, forMs: Int64 = 0, keepFiringForMs: Int64 = 0, labels: [String: String] = [:], annotations: [String: String] = [:]) throws(PromQLError) {
        guard expr.type == .vector || expr.type == .scalar else {
            throw PromQLError.badData("alerting rule \(quoted(name)): expression must be an instant vector, got \(expr.type.rawValue)")
        }
        for template in Array(labels.values) + Array(annotations.values) {
            _ = try AlertTemplate.expand(template, labels: Labels(), value: 0)
        }
        self.name = name
        self.expr = expr
        self.forMs = forMs
        self.keepFiringForMs = keepFiringForMs
        self.labels = labels
        self.annotations = annotations
    }
}

/// A group of rules evaluated together every `intervalMs`.
public struct AlertingRuleGroup: Sendable, Equatable {
    public var name: String
    public var intervalMs: Int64
    public var rules: [AlertingRule]
    /// The rule file the group came from, as given (empty for a group built in code).
    public var file: String

    public init(name: String, intervalMs: Int64, rules: [AlertingRule], file: String = "") {
        precondition(intervalMs > 0, "a rule group's interval must be positive")
        self.name = name
        self.intervalMs = intervalMs
        self.rules = rules
        self.file = file
    }
}

/// One change of an alert's state, as Prometheus's rule manager would have made it.
public struct AlertTransition: Sendable, Equatable {
    public enum State: String, Sendable { case pending, firing, resolved }
    public var group: String
    public var rule: String
    public var state: State
    public var atMs: Int64
    /// The alert's labels: the series' without `__name__`, the rule's, and `alertname`.
    public var labels: Labels
    public var annotations: [String: String]
    /// The expression's value at that evaluation (at the last one seen, for `resolved`).
    public var value: Double
}

/// Evaluates rule groups at every multiple of their interval within a range, with
/// Prometheus's alerting state machine (pending → firing after `for`, resolved when
/// the series leaves the result, unless `keep_firing_for` holds it).
public enum AlertBacktest {
    public static func run(
        _ groups: [AlertingRuleGroup], fromMs: Int64, toMs: Int64, source: any SampleSource, options: QueryOptions = QueryOptions()
    ) throws(PromQLError) -> [AlertTransition] {
        var out: [AlertTransition] = []
        for group in groups {
            var start = group.intervalMs * (fromMs / group.intervalMs)
            if start < fromMs { start += group.intervalMs }
            guard start <= toMs else { continue }
            for rule in group.rules {
                let series = try Evaluator.range(rule.expr, startMs: start, endMs: toMs, stepMs: group.intervalMs, source: source, options: options)
                out += transitions(rule, group: group.name, series: series, startMs: start, endMs: toMs, intervalMs: group.intervalMs)
            }
        }
        return out.sorted { ($0.atMs, $0.group, $0.rule, $0.labels) < ($1.atMs, $1.group, $1.rule, $1.labels) }
    }

    /// Replays the state machine over the expression's answers at each evaluation.
    static func transitions(
        _ rule: AlertingRule, group: String, series: [Series], startMs: Int64, endMs: Int64, intervalMs: Int64
    ) -> [AlertTransition] {
        var state = AlertRuleState(rule: rule, group: group)
        var out: [AlertTransition] = []
        var cursors = [Int](repeating: 0, count: series.count)
        var t = startMs
        while t <= endMs {
            var results: [(labels: Labels, value: Double)] = []
            for (index, entry) in series.enumerated() {
                guard cursors[index] < entry.samples.count, entry.samples[cursors[index]].timestampMs == t else { continue }
                results.append((entry.labels, entry.samples[cursors[index]].value))
                cursors[index] += 1
            }
            out += state.evaluate(atMs: t, results: results)
            t += intervalMs
        }
        return out
    }
}

/// One alerting rule's alerts between evaluations: Prometheus's state machine
/// (pending → firing after `for`, resolved when the series leaves the result, unless
/// `keep_firing_for` holds it). The back-test steps it through a range; a live server
/// steps it at each evaluation.
public struct AlertRuleState: Sendable {
    private struct Active: Sendable {
        var state: AlertTransition.State
        var activeAtMs: Int64
        var keepFiringSinceMs: Int64?
        var value: Double
        var annotations: [String: String]
    }

    public let rule: AlertingRule
    public let group: String
    private var active: [Labels: Active] = [:]

    public init(rule: AlertingRule, group: String) {
        self.rule = rule
        self.group = group
    }

    /// The alerts pending or firing now.
    public var activeCount: Int { active.values.filter { $0.state != .resolved }.count }

    /// One alert pending or firing, as Prometheus's rules and alerts APIs list it.
    public struct ActiveAlert: Sendable, Equatable {
        public var labels: Labels
        public var annotations: [String: String]
        /// `.pending` or `.firing`.
        public var state: AlertTransition.State
        /// When the series entered the expression's result (the alert went pending).
        public var activeAtMs: Int64
        /// Since when `keep_firing_for` holds it firing after its series left the result.
        public var keepFiringSinceMs: Int64?
        /// The expression's value at the last evaluation that had the series.
        public var value: Double
    }

    /// The alerts pending or firing now, in label order (resolved ones are not listed,
    /// as Prometheus lists only its active alerts).
    public var alerts: [ActiveAlert] {
        active.filter { $0.value.state != .resolved }.sorted { $0.key < $1.key }.map { labels, alert in
            ActiveAlert(labels: labels, annotations: alert.annotations, state: alert.state, activeAtMs: alert.activeAtMs,
                        keepFiringSinceMs: alert.keepFiringSinceMs, value: alert.value)
        }
    }

    /// Applies the expression's answer at `t` (each series with its value); returns
    /// the transitions it causes, in label order.
    public mutating func evaluate(atMs t: Int64, results: [(labels: Labels, value: Double)]) -> [AlertTransition] {
        var out: [AlertTransition] = []
        var present: [Labels: Double] = [:]
        var presentLabels: [Labels: Labels] = [:]
        for (seriesLabels, value) in results {
            var labels = seriesLabels.droppingName
            for (name, template) in rule.labels.sorted(by: { $0.key < $1.key }) {
                labels.set(name, (try? AlertTemplate.expand(template, labels: seriesLabels, value: value)) ?? template)
            }
            labels.set("alertname", rule.name)
            present[labels] = value
            presentLabels[labels] = seriesLabels
        }
        let rule = self.rule
        func annotations(_ labels: Labels, _ value: Double) -> [String: String] {
            rule.annotations.mapValues { (try? AlertTemplate.expand($0, labels: presentLabels[labels] ?? labels, value: value)) ?? $0 }
        }
        for (labels, value) in present.sorted(by: { $0.key < $1.key }) {
            if var alert = active[labels], alert.state != .resolved {
                alert.value = value
                alert.annotations = annotations(labels, value)
                alert.keepFiringSinceMs = nil
                active[labels] = alert
            } else {
                active[labels] = Active(state: .pending, activeAtMs: t, value: value, annotations: annotations(labels, value))
                out.append(AlertTransition(group: group, rule: rule.name, state: .pending, atMs: t, labels: labels,
                                           annotations: active[labels]!.annotations, value: value))
            }
        }
        for labels in active.keys.sorted() {
            var alert = active[labels]!
            if present[labels] == nil {
                guard alert.state != .resolved else {
                    // Resolved alerts are kept one evaluation only (nothing more can happen to them).
                    active[labels] = nil
                    continue
                }
                var keepFiring = false
                if alert.state == .firing, rule.keepFiringForMs > 0 {
                    let since = alert.keepFiringSinceMs ?? t
                    alert.keepFiringSinceMs = since
                    keepFiring = t - since < rule.keepFiringForMs
                }
                if alert.state == .pending {
                    active[labels] = nil
                    continue
                }
                if !keepFiring {
                    alert.state = .resolved
                    active[labels] = alert
                    out.append(AlertTransition(group: group, rule: rule.name, state: .resolved, atMs: t, labels: labels,
                                               annotations: alert.annotations, value: alert.value))
                    continue
                }
            }
            if alert.state == .pending, t - alert.activeAtMs >= rule.forMs {
                alert.state = .firing
                out.append(AlertTransition(group: group, rule: rule.name, state: .firing, atMs: t, labels: labels,
                                           annotations: alert.annotations, value: alert.value))
            }
            active[labels] = alert
        }
        return out
    }
}

/// The subset of Go templates alert labels and annotations use here:
/// `{{ $labels.name }}`, `{{ $value }}`, `{{ .Labels.name }}`, `{{ .Value }}`.
/// Anything else is refused, not printed wrongly.
public enum AlertTemplate {
    public static func expand(_ template: String, labels: Labels, value: Double) throws(PromQLError) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw PromQLError.badData("template \(quoted(template)): unclosed {{")
            }
            var action = rest[open.upperBound..<close.lowerBound]
            if action.hasPrefix("-") { action = action.dropFirst() }
            if action.hasSuffix("-") { action = action.dropLast() }
            let word = action.trimmingCharacters(in: .whitespaces)
            if word == "$value" || word == ".Value" {
                out += PromNumber.goFormat(value)
            } else if word.hasPrefix("$labels."), word.count > 8 {
                out += labels[String(word.dropFirst(8))]
            } else if word.hasPrefix(".Labels."), word.count > 8 {
                out += labels[String(word.dropFirst(8))]
            } else {
                throw PromQLError.badData("template \(quoted(template)): {{ \(word) }} is not supported (only $labels.<name> and $value)")
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }
}
