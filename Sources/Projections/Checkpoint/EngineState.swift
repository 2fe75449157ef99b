import EventStore

/// Everything the host folds from the log: the views, the alert-rule engine, and
/// the prefix they cover. A pure value (no clocks, no I/O); it is the content of a
/// checkpoint, so the same events in the same order give byte-equal encodings.
public struct EngineState<Views: Projection & FigureSource>: Sendable, Equatable {
    public private(set) var views: Views
    public private(set) var rules: RuleEngine
    /// The state covers offsets `0..<nextOffset`.
    public private(set) var nextOffset: UInt64
    /// The newest event time folded, nil before the first event.
    public private(set) var eventTimeNs: Int64?

    public init(rules: RuleSet) {
        self.views = Views()
        self.rules = RuleEngine(rules: rules)
        self.nextOffset = 0
        self.eventTimeNs = nil
    }

    /// Folds the event at `offset` (at or after `nextOffset`: the log is dense, but
    /// retention may have removed a prefix that was never folded) into
    /// the views and then, when `evaluatingRules`, into the rule engine, whose figures
    /// then include the event. Returns the events to append: the alert events the rules
    /// raise and, when the event's time crosses into a new interval, the health score's
    /// sample (`HealthSample`).
    public mutating func apply(_ event: Event, offset: UInt64, evaluatingRules: Bool) -> [Event] {
        precondition(offset >= nextOffset, "event at offset \(offset) folded into a state that already covers it (next \(nextOffset))")
        var emitted: [Event] = []
        // The score as of the interval's end, before the event past it is folded.
        if evaluatingRules, let sampleNs = HealthSample.due(newestNs: eventTimeNs, eventTimeNs: event.timeNs),
           let score = views.figure(.healthScore), score.isFinite {
            emitted.append(HealthSample.event(atNs: sampleNs, score: score))
        }
        views.apply(event, offset: offset)
        nextOffset = offset + 1
        eventTimeNs = max(eventTimeNs ?? event.timeNs, event.timeNs)
        // A health sample is the state's own output: it triggers no evaluation (else an
        // ack that moves the newest time would make its sample resolve the rules' alerts).
        guard evaluatingRules, !HealthSample.isSample(event) else { return emitted }
        return emitted + rules.process(event, offset: offset, figures: views)
    }

    /// This state without the live-only parts of its views (`Projection.omitLiveOnlyParts`):
    /// what a view snapshot stores.
    public func omittingLiveOnlyParts() -> EngineState {
        var copy = self
        copy.views.omitLiveOnlyParts()
        return copy
    }

    /// A state restored from a view snapshot goes on live: its live-only parts start empty.
    public mutating func restartLiveOnlyParts() {
        views.restartLiveOnlyParts()
    }

    /// Swaps the rules (a changed rule file at restart); returns the resolutions of
    /// alerts whose rule was removed or changed.
    public mutating func replaceRules(_ ruleSet: RuleSet) -> [Event] {
        rules.replaceRules(ruleSet)
    }
}

extension EngineState: Codable {
    /// Bumped when the encoding changes; an unknown version is refused on load and
    /// the host falls back to replaying the log.
    public static var formatVersion: Int { 1 }

    private enum CodingKeys: String, CodingKey {
        case formatVersion
        case views
        case rules
        case nextOffset
        case eventTimeNs
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .formatVersion)
        guard version == Self.formatVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .formatVersion, in: container,
                debugDescription: "checkpoint format version \(version); this build reads \(Self.formatVersion)")
        }
        views = try container.decode(Views.self, forKey: .views)
        rules = try container.decode(RuleEngine.self, forKey: .rules)
        nextOffset = try container.decode(UInt64.self, forKey: .nextOffset)
        eventTimeNs = try container.decodeIfPresent(Int64.self, forKey: .eventTimeNs)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.formatVersion, forKey: .formatVersion)
        try container.encode(views, forKey: .views)
        try container.encode(rules, forKey: .rules)
        try container.encode(nextOffset, forKey: .nextOffset)
        try container.encodeIfPresent(eventTimeNs, forKey: .eventTimeNs)
    }
}
