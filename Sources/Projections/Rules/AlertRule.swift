import EventStore

/// One alert rule. Durations are whole seconds of event time.
public struct AlertRule: Codable, Sendable, Equatable {
    /// Stable identifier: the alert `kind`, and part of every alert id this rule raises.
    public var id: String
    /// Human name, used in messages.
    public var name: String
    public var severity: AlertSeverity
    public var condition: RuleCondition
    /// The condition must hold continuously for this long before the alert fires.
    public var forSeconds: Int64
    /// After a resolution, the same rule and subject do not fire again before this.
    public var cooldownSeconds: Int64
    /// The condition must have been false this long before the alert resolves.
    public var resolveAfterSeconds: Int64
    /// Message template; `nil` uses `MessageTemplate.defaultTemplate(for:)`.
    /// Placeholders: `{rule}`, `{name}`, `{subject}`, `{value}`, `{operator}`,
    /// `{threshold}`, `{forSeconds}`, `{state}`.
    public var message: String?

    public init(
        id: String, name: String, severity: AlertSeverity, condition: RuleCondition,
        forSeconds: Int64 = 0, cooldownSeconds: Int64 = 0, resolveAfterSeconds: Int64 = 0,
        message: String? = nil
    ) {
        self.id = id
        self.name = name
        self.severity = severity
        self.condition = condition
        self.forSeconds = forSeconds
        self.cooldownSeconds = cooldownSeconds
        self.resolveAfterSeconds = resolveAfterSeconds
        self.message = message
    }
}

/// Named maxima for rules and the engine's memory.
public enum RuleLimits {
    public static let rulesCountMax = 256
    public static let idBytesMax = 64
    public static let durationSecondsMax: Int64 = 7 * 24 * 3600
    /// Series or connections tracked per rule; further ones are counted, not tracked.
    public static let subjectsPerRuleMax = 1000
    /// A series with no sample for this long counts as no data (Prometheus' staleness).
    public static let metricStaleAfterSeconds: Int64 = 300
}
