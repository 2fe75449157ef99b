import EventStore

/// A validated list of rules: unique ids, sane durations, finite thresholds, known
/// placeholders. The engine only ever runs a `RuleSet`.
public struct RuleSet: Codable, Sendable, Equatable {
    public let rules: [AlertRule]

    public init(_ rules: [AlertRule]) throws(RuleFileError) {
        guard rules.count <= RuleLimits.rulesCountMax else {
            throw RuleFileError(code: .layout, field: "rules", reason: "\(rules.count) rules, more than the limit of \(RuleLimits.rulesCountMax)")
        }
        var seen: [String: Int] = [:]
        for (index, rule) in rules.enumerated() {
            try Self.validate(rule, index: index)
            if let first = seen[rule.id] {
                throw RuleFileError(code: .duplicateID, ruleIndex: index, ruleID: rule.id, field: "id",
                                    reason: "the id is already used by rules[\(first)]; rule ids must be unique")
            }
            seen[rule.id] = index
        }
        self.rules = rules
    }

    public static let empty = try! RuleSet([])

    public func rule(id: String) -> AlertRule? { rules.first { $0.id == id } }

    static func validate(_ rule: AlertRule, index: Int) throws(RuleFileError) {
        func fail(_ field: String, _ reason: String) -> RuleFileError {
            RuleFileError(code: .invalidField, ruleIndex: index, ruleID: rule.id.isEmpty ? nil : rule.id, field: field, reason: reason)
        }
        guard !rule.id.isEmpty, rule.id.utf8.count <= RuleLimits.idBytesMax,
              rule.id.utf8.allSatisfy(isIDByte) else {
            throw fail("id", "must be 1 to \(RuleLimits.idBytesMax) characters of A-Z a-z 0-9 . _ -")
        }
        guard !rule.name.isEmpty, rule.name.utf8.count <= EventLimits.nameBytesMax else {
            throw fail("name", "must be 1 to \(EventLimits.nameBytesMax) bytes")
        }
        for (field, seconds) in [("forSeconds", rule.forSeconds), ("cooldownSeconds", rule.cooldownSeconds),
                                 ("resolveAfterSeconds", rule.resolveAfterSeconds)] {
            guard (0...RuleLimits.durationSecondsMax).contains(seconds) else {
                throw fail(field, "must be between 0 and \(RuleLimits.durationSecondsMax) seconds, got \(seconds)")
            }
        }
        switch rule.condition {
        case .figure(_, let comparison):
            guard comparison.threshold.isFinite else { throw fail("condition.threshold", "must be a finite number") }
        case .metric(let selector, let comparison):
            guard !selector.name.isEmpty, selector.name.utf8.count <= EventLimits.nameBytesMax else {
                throw fail("condition.metric", "must be a metric name of 1 to \(EventLimits.nameBytesMax) bytes")
            }
            guard selector.labels.count <= EventLimits.labelsCountMax else {
                throw fail("condition.labels", "more than \(EventLimits.labelsCountMax) labels")
            }
            guard comparison.threshold.isFinite else { throw fail("condition.threshold", "must be a finite number") }
        case .breaker(let state):
            guard state != .closed else {
                throw fail("condition.breaker", "must be OPEN or HALF_OPEN: entering CLOSED is what resolves breaker alerts")
            }
        }
        if let message = rule.message {
            guard !message.isEmpty, message.utf8.count <= EventLimits.textBytesMax / 2 else {
                throw fail("message", "must be 1 to \(EventLimits.textBytesMax / 2) bytes")
            }
            if let unknown = MessageTemplate.unknownPlaceholder(in: message) {
                let known = MessageTemplate.placeholders.map { "{\($0)}" }.joined(separator: ", ")
                throw fail("message", "unknown placeholder {\(unknown)} (known: \(known))")
            }
        }
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
