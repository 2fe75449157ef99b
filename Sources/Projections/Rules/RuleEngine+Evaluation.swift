import EventStore

extension RuleEngine {
    /// The once-per-second pass: reads every figure rule's figure and re-checks every
    /// tracked subject, so durations, cooldowns, staleness and resolutions advance
    /// with event time even when the watched series is silent.
    mutating func evaluateAll(nowNs: Int64, offset: UInt64, figures: some FigureSource, into emitted: inout [Event]) {
        for ruleIndex in ruleSet.rules.indices {
            let rule = ruleSet.rules[ruleIndex]
            if case .figure(let figure, _) = rule.condition {
                let value = figures.figure(figure).flatMap { $0.isFinite ? $0 : nil }
                let (index, found) = tracks[ruleIndex].search(.system)
                if !found { tracks[ruleIndex].trackers.insert(SubjectTracker(subject: .system), at: index) }
                tracks[ruleIndex].trackers[index].value = value
            }
            var trackerIndex = tracks[ruleIndex].trackers.count - 1
            // Backwards, so removing an idle tracker does not shift the ones still to visit.
            while trackerIndex >= 0 {
                evaluate(ruleIndex: ruleIndex, trackerIndex: trackerIndex, nowNs: nowNs, offset: offset, into: &emitted)
                trackerIndex -= 1
            }
        }
        // Backwards evaluation reversed the order within a rule; restore subject order for callers.
        emitted.sort(by: Self.emissionOrder)
    }

    mutating func observe(_ sample: MetricSample, nowNs: Int64, offset: UInt64, into emitted: inout [Event]) {
        for ruleIndex in ruleSet.rules.indices {
            guard case .metric(let selector, let comparison) = ruleSet.rules[ruleIndex].condition,
                  selector.matches(sample.series) else { continue }
            let subject = AlertSubject.series(sample.series)
            let holds = sample.value.isFinite && comparison.op.holds(sample.value, threshold: comparison.threshold)
            guard let trackerIndex = tracker(for: subject, ruleIndex: ruleIndex, create: holds) else { continue }
            tracks[ruleIndex].trackers[trackerIndex].value = sample.value
            tracks[ruleIndex].trackers[trackerIndex].sampledAtNs = nowNs
            evaluate(ruleIndex: ruleIndex, trackerIndex: trackerIndex, nowNs: nowNs, offset: offset, into: &emitted)
        }
    }

    mutating func observe(_ transition: BreakerTransition, nowNs: Int64, offset: UInt64, into emitted: inout [Event]) {
        for ruleIndex in ruleSet.rules.indices {
            guard case .breaker(let entering) = ruleSet.rules[ruleIndex].condition else { continue }
            let engages = transition.to == entering
            guard engages || transition.to == .closed else { continue }
            let subject = AlertSubject.connection(transition.connection)
            guard let trackerIndex = tracker(for: subject, ruleIndex: ruleIndex, create: engages) else { continue }
            if engages { tracks[ruleIndex].trackers[trackerIndex].value = Double(transition.failures) }
            tracks[ruleIndex].trackers[trackerIndex].engaged = engages
            evaluate(ruleIndex: ruleIndex, trackerIndex: trackerIndex, nowNs: nowNs, offset: offset, into: &emitted)
        }
    }

    /// The tracker of `subject`, created when `create` and the rule has room.
    private mutating func tracker(for subject: AlertSubject, ruleIndex: Int, create: Bool) -> Int? {
        let (index, found) = tracks[ruleIndex].search(subject)
        if found { return index }
        guard create else { return nil }
        guard tracks[ruleIndex].trackers.count < RuleLimits.subjectsPerRuleMax else {
            tracks[ruleIndex].droppedSubjects += 1
            return nil
        }
        tracks[ruleIndex].trackers.insert(SubjectTracker(subject: subject), at: index)
        return index
    }

    /// Advances one tracker to `nowNs`: starts or breaks the `forSeconds` duration,
    /// fires, counts towards resolution, resolves, and forgets the tracker once idle.
    private mutating func evaluate(ruleIndex: Int, trackerIndex: Int, nowNs: Int64, offset: UInt64, into emitted: inout [Event]) {
        let rule = ruleSet.rules[ruleIndex]
        var tracker = tracks[ruleIndex].trackers[trackerIndex]
        if conditionHolds(rule.condition, tracker, nowNs: nowNs) {
            tracker.failingSinceNs = nil
            if tracker.active == nil {
                let since = tracker.holdingSinceNs ?? nowNs
                tracker.holdingSinceNs = since
                let heldLongEnough = RuleTime.elapsed(from: since, to: nowNs) >= RuleTime.nanoseconds(seconds: rule.forSeconds)
                let cooledDown = tracker.cooldownUntilNs.map { nowNs >= $0 } ?? true
                if heldLongEnough && cooledDown {
                    let alert = ActiveAlert(
                        id: AlertIdentity.id(ruleID: rule.id, subject: tracker.subject, offset: offset),
                        ruleID: rule.id, subject: tracker.subject, firedAtNs: nowNs, firedAtOffset: offset, value: tracker.value
                    )
                    tracker.active = alert
                    tracker.holdingSinceNs = nil
                    tracker.cooldownUntilNs = nil
                    emitted.append(Event(timeNs: nowNs, body: .alert(Self.raised(alert, rule: rule))))
                }
            }
        } else {
            tracker.holdingSinceNs = nil
            if let active = tracker.active {
                let since = tracker.failingSinceNs ?? nowNs
                tracker.failingSinceNs = since
                if RuleTime.elapsed(from: since, to: nowNs) >= RuleTime.nanoseconds(seconds: rule.resolveAfterSeconds) {
                    tracker.active = nil
                    tracker.failingSinceNs = nil
                    tracker.cooldownUntilNs = rule.cooldownSeconds > 0
                        ? RuleTime.add(nowNs, RuleTime.nanoseconds(seconds: rule.cooldownSeconds)) : nil
                    emitted.append(Event(timeNs: nowNs, body: .alertResolve(AlertResolve(id: active.id))))
                }
            }
        }
        if tracker.subject != .system && tracker.isIdle(atNs: nowNs) {
            tracks[ruleIndex].trackers.remove(at: trackerIndex)
        } else {
            tracks[ruleIndex].trackers[trackerIndex] = tracker
        }
    }

    private func conditionHolds(_ condition: RuleCondition, _ tracker: SubjectTracker, nowNs: Int64) -> Bool {
        switch condition {
        case .figure(_, let comparison):
            guard let value = tracker.value else { return false }
            return comparison.op.holds(value, threshold: comparison.threshold)
        case .metric(_, let comparison):
            guard let value = tracker.value, value.isFinite, let sampledAtNs = tracker.sampledAtNs else { return false }
            let fresh = RuleTime.elapsed(from: sampledAtNs, to: nowNs) < RuleTime.nanoseconds(seconds: RuleLimits.metricStaleAfterSeconds)
            return fresh && comparison.op.holds(value, threshold: comparison.threshold)
        case .breaker:
            return tracker.engaged
        }
    }

    static func raised(_ alert: ActiveAlert, rule: AlertRule) -> AlertRaised {
        let comparison = rule.condition.comparison
        var connection: String?
        var metric: String?
        var subjectText = alert.subject.description
        switch rule.condition {
        case .figure(let figure, _):
            metric = figure.rawValue
            subjectText = figure.rawValue
        case .metric:
            if case .series(let key) = alert.subject { metric = key.name }
        case .breaker:
            if case .connection(let name) = alert.subject { connection = name }
        }
        return AlertRaised(
            id: alert.id, severity: rule.severity, kind: rule.id,
            message: MessageTemplate.render(rule, subject: subjectText, value: alert.value),
            // The log holds finite numbers only (`EventDomain`).
            connection: connection, metric: metric, threshold: comparison?.threshold, value: alert.value.flatMap { $0.isFinite ? $0 : nil },
            dataJSON: dataJSON(rule: rule, subject: alert.subject)
        )
    }

    /// Canonical JSON (sorted keys) naming the rule and, for a series, its labels.
    private static func dataJSON(rule: AlertRule, subject: AlertSubject) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("forSeconds", rule.forSeconds)
        if case .series(let key) = subject, !key.labels.isEmpty {
            writer.key("labels")
            writer.beginObject()
            for pair in key.labels.pairs { writer.member(pair.key, pair.value) }
            writer.endObject()
        }
        if let comparison = rule.condition.comparison { writer.member("operator", comparison.op.rawValue) }
        writer.member("rule", rule.id)
        writer.endObject()
        if writer.bytes.count <= EventLimits.dataBytesMax { return writer.string }
        var short = JSONWriter()
        short.beginObject()
        short.member("rule", rule.id)
        short.endObject()
        return short.string
    }

    /// Resolutions before alerts, then by id: a stable order that replay reproduces.
    static func emissionOrder(_ a: Event, _ b: Event) -> Bool {
        func key(_ event: Event) -> (Int, String) {
            switch event.body {
            case .alertResolve(let resolve): (0, resolve.id)
            case .alert(let alert): (1, alert.id)
            default: (2, "")
            }
        }
        return key(a) < key(b)
    }
}
