import EventStore

/// A connection's health, from its breaker and parse rate.
public enum ConnectionHealth: String, Encodable, Sendable, Equatable {
    case healthy
    case degraded
    case failed

    public static let parseRateDegradedBelow = 0.9

    /// OPEN → failed; HALF_OPEN or parse rate under 0.9 → degraded; else healthy.
    public init(state: BreakerState, parseRate: Double?) {
        switch state {
        case .open: self = .failed
        case .halfOpen: self = .degraded
        case .closed: self = (parseRate.map { $0 < Self.parseRateDegradedBelow } ?? false) ? .degraded : .healthy
        }
    }
}

/// `GET /api/v1/fault-tolerance/status`.
public struct FaultToleranceView: Encodable, Sendable, Equatable {
    public struct HealthCounts: Encodable, Sendable, Equatable {
        public var healthy: Int
        public var degraded: Int
        public var failed: Int
    }

    public struct Connection: Encodable, Sendable, Equatable {
        public var connectionId: String
        public var status: ConnectionHealth
        public var state: BreakerState
        public var parseRate: Double?
    }

    public struct Source: Encodable, Sendable, Equatable {
        /// `connection:<id>` or `host:cpu_percent`.
        public var source: String
        public var samples: UInt64
        public var missedSlots: UInt64
        public var gaps: UInt64
        public var longestGapMs: Double
        public var lateSamples: UInt64
        public var lastSample: String?
        public var lastSampleNs: Int64?
    }

    public var enabled: Bool
    public var health: HealthCounts
    /// Sorted by connection id.
    public var connections: [Connection]
    public var lastCheckpoint: String?
    public var lastCheckpointNs: Int64?
    public var lastCheckpointOffset: UInt64?
    /// Expected collection intervals with no sample, over all sources.
    public var missedSlots: UInt64
    public var expectedIntervalMs: Double
    /// The host first, then connections by id.
    public var sources: [Source]
}

extension FaultToleranceProjection {
    /// - Parameters:
    ///   - breakers: the connections' breaker states and parse rates.
    ///   - lastCheckpointOffset, lastCheckpointTimeNs: the newest checkpoint the host
    ///     wrote or loaded (checkpoints are not events, so the host passes them in).
    public func view(
        breakers: CircuitBreakersProjection,
        lastCheckpointOffset: UInt64? = nil,
        lastCheckpointTimeNs: Int64? = nil
    ) -> FaultToleranceView {
        var counts = FaultToleranceView.HealthCounts(healthy: 0, degraded: 0, failed: 0)
        var connectionsView: [FaultToleranceView.Connection] = []
        for (name, record) in breakers.connections.entries {
            let status = ConnectionHealth(state: record.state, parseRate: record.parseRate)
            switch status {
            case .healthy: counts.healthy += 1
            case .degraded: counts.degraded += 1
            case .failed: counts.failed += 1
            }
            connectionsView.append(.init(connectionId: name, status: status, state: record.state, parseRate: record.parseRate))
        }
        var sources = [Self.sourceView("host:\(Self.hostVitalsMetric)", hostVitals)]
        for (name, slots) in connections.entries { sources.append(Self.sourceView("connection:\(name)", slots)) }
        return FaultToleranceView(
            enabled: true, health: counts, connections: connectionsView,
            lastCheckpoint: ViewTime.text(lastCheckpointTimeNs), lastCheckpointNs: lastCheckpointTimeNs,
            lastCheckpointOffset: lastCheckpointOffset, missedSlots: totalMissedSlots,
            expectedIntervalMs: Double(expectedIntervalNs) / 1e6, sources: sources)
    }

    private static func sourceView(_ source: String, _ slots: CollectionSlots) -> FaultToleranceView.Source {
        FaultToleranceView.Source(
            source: source, samples: slots.sampleCount, missedSlots: slots.missedSlots, gaps: slots.gapCount,
            longestGapMs: Double(slots.longestGapNs) / 1e6, lateSamples: slots.lateSampleCount,
            lastSample: ViewTime.text(slots.lastSampleNs), lastSampleNs: slots.lastSampleNs)
    }
}
