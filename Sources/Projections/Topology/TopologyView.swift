import EventStore

/// `GET /api/v1/topology`.
public struct TopologyView: Encodable, Sendable, Equatable {
    public struct Connection: Encodable, Sendable, Equatable {
        public var id: String
        public var monitors: [String]
        /// 0–100.
        public var load: Double
        public var tps: Double
        /// CLOSED when the breakers projection knows no transition for it.
        public var circuitState: BreakerState
        public var parseRate: Double
        /// Milliseconds.
        public var latency: Double
        public var lastSeen: String
        public var lastSeenNs: Int64
        public var reportCount: UInt64
    }

    public struct Monitor: Encodable, Sendable, Equatable {
        public var id: String
        /// Ids of the connections that feed it, sorted.
        public var connections: [String]
    }

    /// Sorted by id.
    public var connections: [Connection]
    /// Sorted by id.
    public var monitors: [Monitor]
    public var totalTps: Double
    public var averageLoad: Double?
}

extension TopologyProjection {
    /// - Parameter breakers: where each connection's breaker state is read from.
    public func view(breakers: CircuitBreakersProjection? = nil) -> TopologyView {
        var connectionsView: [TopologyView.Connection] = []
        var feeders: [String: [String]] = [:]
        var totalTps = 0.0
        var totalLoad = 0.0
        for (name, node) in connections.entries {
            connectionsView.append(TopologyView.Connection(
                id: name, monitors: node.monitors, load: node.load, tps: node.tps,
                circuitState: breakers?.record(for: name)?.state ?? .closed,
                parseRate: node.parseRate, latency: node.latencyMs,
                lastSeen: EventTime.formatRFC3339(node.lastSeenNs), lastSeenNs: node.lastSeenNs,
                reportCount: node.reportCount))
            for monitor in Set(node.monitors) { feeders[monitor, default: []].append(name) }
            totalTps += node.tps
            totalLoad += node.load
        }
        // Connections are visited in sorted order, so each feeder list is already sorted.
        let monitors = feeders.keys.sorted().map { TopologyView.Monitor(id: $0, connections: feeders[$0] ?? []) }
        return TopologyView(
            connections: connectionsView, monitors: monitors, totalTps: totalTps,
            averageLoad: connections.isEmpty ? nil : totalLoad / Double(connections.count))
    }
}
