/// An alert the engine raised and has not resolved yet.
public struct ActiveAlert: Codable, Sendable, Equatable {
    public let id: String
    public let ruleID: String
    public let subject: AlertSubject
    public let firedAtNs: Int64
    public let firedAtOffset: UInt64
    public let value: Double?
}

/// A condition that holds but has not held for `forSeconds` yet (or is in cooldown).
public struct PendingAlert: Sendable, Equatable {
    public let ruleID: String
    public let subject: AlertSubject
    public let holdingSinceNs: Int64
    /// The earliest event time at which it fires if the condition keeps holding.
    public let firesAtNs: Int64
}

/// The timers of one rule for one subject. Part of the engine's encoded state, so a
/// restart from a checkpoint continues every pending duration and cooldown exactly.
struct SubjectTracker: Codable, Sendable, Equatable {
    let subject: AlertSubject
    /// Figure or metric rules: the latest value. Breaker rules: failures at the transition.
    var value: Double?
    /// Metric rules: event time of the latest sample, for staleness.
    var sampledAtNs: Int64?
    /// Breaker rules: the breaker entered the rule's state and has not closed since.
    var engaged = false
    var holdingSinceNs: Int64?
    /// While an alert is active: the condition has been false since then.
    var failingSinceNs: Int64?
    var active: ActiveAlert?
    var cooldownUntilNs: Int64?

    init(subject: AlertSubject) {
        self.subject = subject
    }

    /// Nothing to remember: no alert, no pending duration, no cooldown still running.
    func isIdle(atNs nowNs: Int64) -> Bool {
        active == nil && holdingSinceNs == nil && !engaged && (cooldownUntilNs.map { nowNs >= $0 } ?? true)
    }
}

/// The trackers of one rule, sorted by subject so lookups are binary searches and the
/// encoded form never depends on insertion or hash order.
struct RuleTrack: Codable, Sendable, Equatable {
    let ruleID: String
    var trackers: [SubjectTracker] = []
    /// Subjects not tracked because `RuleLimits.subjectsPerRuleMax` was reached.
    var droppedSubjects: UInt64 = 0

    init(ruleID: String) {
        self.ruleID = ruleID
    }

    /// The index of `subject`, or where it would be inserted.
    func search(_ subject: AlertSubject) -> (index: Int, found: Bool) {
        var low = 0
        var high = trackers.count
        while low < high {
            let mid = (low + high) / 2
            if trackers[mid].subject < subject { low = mid + 1 } else { high = mid }
        }
        return (low, low < trackers.count && trackers[low].subject == subject)
    }
}
