import EventStore

/// One transition kept in a breaker's history.
public struct BreakerTransitionEntry: Codable, Sendable, Equatable {
    public var timeNs: Int64
    public var from: BreakerState
    public var to: BreakerState
    public var failures: Int64
    public var reason: String?

    public init(timeNs: Int64, from: BreakerState, to: BreakerState, failures: Int64, reason: String?) {
        self.timeNs = timeNs
        self.from = from
        self.to = to
        self.failures = failures
        self.reason = reason
    }
}

/// What is known of one connection's circuit breaker.
///
/// A connection that reports but never transitioned is CLOSED: breakers start closed.
public struct BreakerRecord: Codable, Sendable, Equatable {
    public var state: BreakerState = .closed
    /// The failure count carried by the latest transition.
    public var failures: Int64 = 0
    /// The latest transition into OPEN (a trip, or a failed half-open probe).
    public var lastFailureNs: Int64?
    /// The latest transition into CLOSED (a successful probe).
    public var lastSuccessNs: Int64?
    public var lastTransitionNs: Int64?
    public var transitionCount: UInt64 = 0
    /// From the latest `connection` report.
    public var parseRate: Double?
    public var latencyMs: Double?
    public var lastReportNs: Int64?
    /// Ordered by event time, oldest first.
    public var transitions = BoundedHistory<BreakerTransitionEntry>(capacity: CircuitBreakersProjection.transitionHistoryMax)

    public init() {}

    mutating func record(_ transition: BreakerTransition, atNs timeNs: Int64) {
        let entry = BreakerTransitionEntry(
            timeNs: timeNs, from: transition.from, to: transition.to,
            failures: transition.failures, reason: transition.reason)
        insertInTimeOrder(entry)
        transitionCount += 1
        switch transition.to {
        case .open: lastFailureNs = max(lastFailureNs ?? timeNs, timeNs)
        case .closed: lastSuccessNs = max(lastSuccessNs ?? timeNs, timeNs)
        case .halfOpen: break
        }
        // A transition older than the current one (a late event) goes into the
        // history but does not overturn the state: the later transition wins.
        if lastTransitionNs.map({ timeNs >= $0 }) ?? true {
            state = transition.to
            failures = transition.failures
            lastTransitionNs = timeNs
        }
    }

    mutating func record(_ report: ConnectionReport, atNs timeNs: Int64) {
        guard lastReportNs.map({ timeNs >= $0 }) ?? true else { return }
        parseRate = report.parseRate
        latencyMs = report.latencyMs
        lastReportNs = timeNs
    }

    private mutating func insertInTimeOrder(_ entry: BreakerTransitionEntry) {
        var ordered = transitions.elements
        var index = ordered.count
        while index > 0, ordered[index - 1].timeNs > entry.timeNs { index -= 1 }
        if index == ordered.count {
            transitions.append(entry)
        } else {
            ordered.insert(entry, at: index)
            transitions.replace(withOrdered: ordered, extraDropped: 0)
        }
    }

    /// Combines the record of the same connection from another shard: the later
    /// transition decides the state, the later report the parse rate and latency.
    mutating func merge(_ other: BreakerRecord) {
        if Self.isLater(other, than: self) {
            state = other.state
            failures = other.failures
            lastTransitionNs = other.lastTransitionNs
        }
        if let otherReport = other.lastReportNs, lastReportNs.map({ otherReport > $0 }) ?? true {
            parseRate = other.parseRate
            latencyMs = other.latencyMs
            lastReportNs = otherReport
        }
        lastFailureNs = Self.later(lastFailureNs, other.lastFailureNs)
        lastSuccessNs = Self.later(lastSuccessNs, other.lastSuccessNs)
        transitionCount += other.transitionCount
        var merged = transitions.elements + other.transitions.elements
        merged.sort { ($0.timeNs, $0.to.code, $0.failures) < ($1.timeNs, $1.to.code, $1.failures) }
        transitions.replace(withOrdered: merged, extraDropped: other.transitions.droppedCount)
    }

    /// Ties are broken by state and failures so that merging is order-independent.
    private static func isLater(_ a: BreakerRecord, than b: BreakerRecord) -> Bool {
        guard let at = a.lastTransitionNs else { return false }
        guard let bt = b.lastTransitionNs else { return true }
        return (at, a.state.code, a.failures) > (bt, b.state.code, b.failures)
    }

    private static func later(_ a: Int64?, _ b: Int64?) -> Int64? {
        switch (a, b) {
        case let (x?, y?): max(x, y)
        default: a ?? b
        }
    }
}
