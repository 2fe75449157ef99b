import PromQL
import Synchronization

/// What `tacho serve --rules` last made of each rule group: every rule's health, the
/// time and cost of its last evaluation, and its pending and firing alerts. The live
/// evaluation writes it after each group's round; Prometheus's `/api/v1/rules` and
/// `/api/v1/alerts` read it, so Grafana's alerting pages and alert-list panels show
/// the rules Tacho evaluates as they show a Prometheus's.
final class RuleStatusBoard: Sendable {
    private let groups: Mutex<[RuleGroupStatus]>

    /// Every rule of `groups` not yet evaluated: health unknown, no alerts.
    init(_ groups: [AlertingRuleGroup]) {
        self.groups = Mutex(groups.map { group in
            RuleGroupStatus(
                group: group,
                rules: group.rules.map { RuleStatus(rule: $0, health: .unknown, lastEvaluationNs: nil, evaluationSeconds: 0, alerts: []) },
                lastEvaluationNs: nil, evaluationSeconds: 0)
        })
    }

    /// Every group's status, in the rule file's order.
    var snapshot: [RuleGroupStatus] { groups.withLock { $0 } }

    /// Replaces the status of the group named `status.group.name`.
    func publish(_ status: RuleGroupStatus) {
        groups.withLock { groups in
            guard let index = groups.firstIndex(where: { $0.group.name == status.group.name }) else {
                preconditionFailure("group \(status.group.name) is not on the board: the board is made from the groups evaluated")
            }
            groups[index] = status
        }
    }
}

struct RuleGroupStatus: Sendable {
    var group: AlertingRuleGroup
    var rules: [RuleStatus]
    /// Wall-clock time the last round started; nil before the first.
    var lastEvaluationNs: Int64?
    var evaluationSeconds: Double
}

struct RuleStatus: Sendable {
    enum Health: Sendable, Equatable {
        case unknown, ok
        case failed(String)
    }

    var rule: AlertingRule
    var health: Health
    /// Wall-clock time of the rule's last evaluation; nil before the first.
    var lastEvaluationNs: Int64?
    var evaluationSeconds: Double
    /// Pending and firing, in label order.
    var alerts: [AlertRuleState.ActiveAlert]

    /// Prometheus's rule state: firing if one of its alerts fires, else pending if one
    /// is pending, else inactive.
    var state: String {
        if alerts.contains(where: { $0.state == .firing }) { return "firing" }
        return alerts.isEmpty ? "inactive" : "pending"
    }
}
