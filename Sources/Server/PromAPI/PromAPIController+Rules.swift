import EventStore
import Hummingbird
import PromQL

/// Prometheus's `/api/v1/rules` and `/api/v1/alerts` over the rule groups `tacho serve
/// --rules` evaluates live, in Prometheus 2.42's shapes: Grafana's alerting pages and
/// alert-list panels read a Prometheus data source's rules and alerts from them.
extension PromAPIController {
    /// Every group with its rules' state, health and alerts; `type=alert` or
    /// `type=record` keeps one kind of rule (Tacho evaluates alerting rules only).
    @Sendable func ruleGroups(_ request: Request, context: Context) async throws -> Response {
        await answer {
            let parameters = try await PromAPIParameters.read(request)
            let type = (parameters.text("type") ?? "").lowercased()
            guard ["", "alert", "record"].contains(type) else {
                throw PromAPIError(.badData, "invalid parameter \"type\": not supported value \(PromAPIParameters.quoted(type))")
            }
            let groups = rules?.snapshot ?? []
            return PromAPIJSON.success { writer in
                writer.beginObject()
                writer.key("groups")
                writer.beginArray()
                for group in groups { Self.write(group, alertingRules: type != "record", to: &writer) }
                writer.endArray()
                writer.endObject()
            }
        }
    }

    /// Every pending and firing alert of every rule.
    @Sendable func alerts(_ request: Request, context: Context) async throws -> Response {
        let groups = rules?.snapshot ?? []
        return PromAPIJSON.success { writer in
            writer.beginObject()
            writer.key("alerts")
            writer.beginArray()
            for group in groups {
                for rule in group.rules {
                    for alert in rule.alerts { Self.write(alert, to: &writer) }
                }
            }
            writer.endArray()
            writer.endObject()
        }
    }

    private static func write(_ status: RuleGroupStatus, alertingRules: Bool, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("name", status.group.name)
        writer.member("file", status.group.file)
        writer.key("rules")
        writer.beginArray()
        if alertingRules {
            for rule in status.rules { write(rule, to: &writer) }
        }
        writer.endArray()
        writer.member("interval", Double(status.group.intervalMs) / 1000)
        writer.member("limit", Int64(0))
        writer.member("evaluationTime", status.evaluationSeconds)
        writer.member("lastEvaluation", time(status.lastEvaluationNs))
        writer.endObject()
    }

    private static func write(_ status: RuleStatus, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("state", status.state)
        writer.member("name", status.rule.name)
        writer.member("query", status.rule.expr.description)
        writer.member("duration", Double(status.rule.forMs) / 1000)
        writer.member("keepFiringFor", Double(status.rule.keepFiringForMs) / 1000)
        writer.key("labels")
        strings(status.rule.labels, to: &writer)
        writer.key("annotations")
        strings(status.rule.annotations, to: &writer)
        writer.key("alerts")
        writer.beginArray()
        for alert in status.alerts { write(alert, to: &writer) }
        writer.endArray()
        switch status.health {
        case .unknown:
            writer.member("health", "unknown")
        case .ok:
            writer.member("health", "ok")
        case .failed(let message):
            writer.member("health", "err")
            writer.member("lastError", message)
        }
        writer.member("evaluationTime", status.evaluationSeconds)
        writer.member("lastEvaluation", time(status.lastEvaluationNs))
        writer.member("type", "alerting")
        writer.endObject()
    }

    private static func write(_ alert: AlertRuleState.ActiveAlert, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("labels")
        PromAPIJSON.labels(alert.labels, &writer)
        writer.key("annotations")
        strings(alert.annotations, to: &writer)
        writer.member("state", alert.state.rawValue)
        writer.member("activeAt", time(alert.activeAtMs * 1_000_000))
        if let since = alert.keepFiringSinceMs { writer.member("keepFiringSince", time(since * 1_000_000)) }
        writer.member("value", PromNumber.goExponentFormat(alert.value))
        writer.endObject()
    }

    /// Go's JSON of a map: keys sorted.
    private static func strings(_ map: [String: String], to writer: inout JSONWriter) {
        writer.beginObject()
        for (name, value) in map.sorted(by: { $0.key < $1.key }) { writer.member(name, value) }
        writer.endObject()
    }

    /// RFC 3339 with the fraction Go keeps; Go's zero time before the first evaluation.
    private static func time(_ ns: Int64?) -> String {
        guard let ns else { return "0001-01-01T00:00:00Z" }
        return EventTime.formatRFC3339(ns)
    }
}
