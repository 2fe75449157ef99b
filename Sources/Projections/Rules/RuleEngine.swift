import EventStore

/// Follows the log, evaluates alert rules and returns the `alert` and `alert_resolve`
/// events to append. A pure value: no clocks (time is event time), no I/O, and its
/// encoded state (rules, pending durations, cooldowns, active alerts) is part of
/// checkpoints, so a restart neither re-fires nor forgets a pending alert.
///
/// Evaluation: metric and breaker rules are evaluated on every matching event; all
/// rules, including every figure rule, once per new second of event time (at the
/// first event of that second). The engine's clock is the highest event time seen,
/// so a late event never moves timers backwards; emitted events carry that time,
/// which is the triggering event's own time whenever events arrive in time order.
public struct RuleEngine: Codable, Sendable, Equatable {
    public private(set) var ruleSet: RuleSet
    var tracks: [RuleTrack]
    /// The highest event time seen, in nanoseconds since the epoch.
    public private(set) var watermarkNs: Int64?
    /// The last offset processed; events at or before it are skipped, so handing the
    /// engine an overlapping range after a restart cannot fire anything twice.
    public private(set) var lastOffset: UInt64?
    var lastEvaluatedSecond: Int64?

    public init(rules: RuleSet = .defaults) {
        self.ruleSet = rules
        self.tracks = rules.rules.map { RuleTrack(ruleID: $0.id) }
    }

    /// Folds one event and returns the alert events it causes, in a deterministic
    /// order. `figures` must already reflect the log up to and including `event`.
    /// `alert`, `alert_ack` and `alert_resolve` events (the engine's own, coming back
    /// through the log, or anyone else's) never trigger anything, so there is no loop.
    public mutating func process(_ event: Event, offset: UInt64, figures: some FigureSource) -> [Event] {
        if let lastOffset, offset <= lastOffset { return [] }
        lastOffset = offset
        switch event.body {
        case .alert, .alertAck, .alertResolve: return []
        default: break
        }
        let nowNs = max(watermarkNs ?? event.timeNs, event.timeNs)
        watermarkNs = nowNs
        var emitted: [Event] = []
        let second = Self.second(ofNs: nowNs)
        if lastEvaluatedSecond.map({ second > $0 }) ?? true {
            lastEvaluatedSecond = second
            evaluateAll(nowNs: nowNs, offset: offset, figures: figures, into: &emitted)
        }
        switch event.body {
        case .metric(let sample) where sample.hasFiniteValue:
            observe(sample, nowNs: nowNs, offset: offset, into: &emitted)
        case .breaker(let transition):
            observe(transition, nowNs: nowNs, offset: offset, into: &emitted)
        default:
            break
        }
        return emitted
    }

    /// Alerts raised and not yet resolved, by rule order then subject.
    public var activeAlerts: [ActiveAlert] {
        tracks.flatMap { $0.trackers.compactMap(\.active) }
    }

    /// Conditions that hold and will fire if they keep holding.
    public var pendingAlerts: [PendingAlert] {
        zip(ruleSet.rules, tracks).flatMap { rule, track in
            track.trackers.compactMap { tracker -> PendingAlert? in
                guard tracker.active == nil, let since = tracker.holdingSinceNs else { return nil }
                let firesAtNs = max(RuleTime.add(since, RuleTime.nanoseconds(seconds: rule.forSeconds)), tracker.cooldownUntilNs ?? .min)
                return PendingAlert(ruleID: rule.id, subject: tracker.subject, holdingSinceNs: since, firesAtNs: firesAtNs)
            }
        }
    }

    /// Subjects a rule could not track because it reached `RuleLimits.subjectsPerRuleMax`.
    public func droppedSubjects(ruleID: String) -> UInt64 {
        tracks.first { $0.ruleID == ruleID }?.droppedSubjects ?? 0
    }

    /// Swaps in new rules (an edited rule file at restart). A rule whose id and
    /// condition are unchanged keeps its timers and alerts; the active alerts of
    /// removed or changed rules are resolved by the returned events.
    public mutating func replaceRules(_ rules: RuleSet) -> [Event] {
        var resolutions: [Event] = []
        var kept: [RuleTrack] = []
        for rule in rules.rules {
            if let index = ruleSet.rules.firstIndex(where: { $0.id == rule.id }), ruleSet.rules[index].condition == rule.condition {
                kept.append(tracks[index])
            } else {
                kept.append(RuleTrack(ruleID: rule.id))
            }
        }
        for (index, rule) in ruleSet.rules.enumerated() {
            let survives = rules.rules.contains { $0.id == rule.id && $0.condition == rule.condition }
            guard !survives else { continue }
            for alert in tracks[index].trackers.compactMap(\.active) {
                resolutions.append(Event(timeNs: watermarkNs ?? alert.firedAtNs, body: .alertResolve(AlertResolve(id: alert.id))))
            }
        }
        ruleSet = rules
        tracks = kept
        return resolutions
    }

    static func second(ofNs timeNs: Int64) -> Int64 {
        let (quotient, remainder) = timeNs.quotientAndRemainder(dividingBy: 1_000_000_000)
        return remainder < 0 ? quotient - 1 : quotient
    }
}

/// Saturating event-time arithmetic: timestamps come from producers, and an absurd one
/// must not trap the engine.
enum RuleTime {
    static func nanoseconds(seconds: Int64) -> Int64 {
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds > 0 ? .max : .min) : product
    }

    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }

    static func elapsed(from start: Int64, to end: Int64) -> Int64 {
        let (difference, overflow) = end.subtractingReportingOverflow(start)
        return overflow ? (start < 0 ? .max : .min) : difference
    }
}
