import EventStore

/// `GET /api/v1/fault-tolerance/circuit-breakers`.
public struct CircuitBreakersView: Encodable, Sendable, Equatable {
    public struct Transition: Encodable, Sendable, Equatable {
        public var from: BreakerState
        public var to: BreakerState
        public var failures: Int64
        public var reason: String?
        public var time: String
        public var timeNs: Int64
    }

    public struct Breaker: Encodable, Sendable, Equatable {
        public var connectionId: String
        public var state: BreakerState
        public var failures: Int64
        public var lastFailure: String?
        public var lastFailureNs: Int64?
        public var lastSuccess: String?
        public var lastSuccessNs: Int64?
        public var lastTransition: String?
        public var lastTransitionNs: Int64?
        /// 0–1, from the latest connection report.
        public var parseRate: Double?
        /// Milliseconds, from the latest connection report.
        public var latency: Double?
        public var transitionCount: UInt64
        /// Newest first.
        public var transitions: [Transition]
    }

    /// Sorted by connection id.
    public var breakers: [Breaker]
    public var closed: Int
    public var open: Int
    public var halfOpen: Int
}

extension CircuitBreakersProjection {
    /// - Parameter transitionsLimit: how many of each breaker's newest transitions to list.
    public func view(transitionsLimit: Int = transitionHistoryMax) -> CircuitBreakersView {
        var breakers: [CircuitBreakersView.Breaker] = []
        var counts: [BreakerState: Int] = [:]
        for (connection, record) in connections.entries {
            counts[record.state, default: 0] += 1
            let transitions = record.transitions.elements.suffix(max(0, transitionsLimit)).reversed().map {
                CircuitBreakersView.Transition(
                    from: $0.from, to: $0.to, failures: $0.failures, reason: $0.reason,
                    time: EventTime.formatRFC3339($0.timeNs), timeNs: $0.timeNs)
            }
            breakers.append(CircuitBreakersView.Breaker(
                connectionId: connection, state: record.state, failures: record.failures,
                lastFailure: ViewTime.text(record.lastFailureNs), lastFailureNs: record.lastFailureNs,
                lastSuccess: ViewTime.text(record.lastSuccessNs), lastSuccessNs: record.lastSuccessNs,
                lastTransition: ViewTime.text(record.lastTransitionNs), lastTransitionNs: record.lastTransitionNs,
                parseRate: record.parseRate, latency: record.latencyMs,
                transitionCount: record.transitionCount, transitions: Array(transitions)))
        }
        return CircuitBreakersView(
            breakers: breakers, closed: counts[.closed, default: 0],
            open: counts[.open, default: 0], halfOpen: counts[.halfOpen, default: 0])
    }
}
