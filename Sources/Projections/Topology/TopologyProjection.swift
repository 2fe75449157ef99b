import EventStore

/// The latest report of one connection.
public struct ConnectionNode: Codable, Sendable, Equatable {
    public var monitors: [String]
    public var load: Double
    public var tps: Double
    public var parseRate: Double
    public var latencyMs: Double
    public var firstSeenNs: Int64
    public var lastSeenNs: Int64
    public var reportCount: UInt64

    init(report: ConnectionReport, atNs timeNs: Int64) {
        monitors = report.monitors
        load = report.load
        tps = report.tps
        parseRate = report.parseRate
        latencyMs = report.latencyMs
        firstSeenNs = timeNs
        lastSeenNs = timeNs
        reportCount = 1
    }

    mutating func record(_ report: ConnectionReport, atNs timeNs: Int64) {
        reportCount += 1
        firstSeenNs = min(firstSeenNs, timeNs)
        // A late report counts but does not replace a newer one.
        guard timeNs >= lastSeenNs else { return }
        monitors = report.monitors
        load = report.load
        tps = report.tps
        parseRate = report.parseRate
        latencyMs = report.latencyMs
        lastSeenNs = timeNs
    }

    mutating func merge(_ other: ConnectionNode) {
        let otherIsLater = (other.lastSeenNs, other.load, other.tps) > (lastSeenNs, load, tps)
        let combinedCount = reportCount + other.reportCount
        let combinedFirst = min(firstSeenNs, other.firstSeenNs)
        if otherIsLater { self = other }
        reportCount = combinedCount
        firstSeenNs = combinedFirst
    }
}

/// Connections and the monitors they feed, from `connection` reports.
public struct TopologyProjection: Projection, Mergeable {
    public static let connectionsMax = 10_000

    public private(set) var connections = SortedStringMap<ConnectionNode>()
    public private(set) var droppedEventCount: UInt64 = 0

    public init() {}

    public mutating func apply(_ event: Event, offset: UInt64) {
        guard case .connection(let report) = event.body else { return }
        if connections.modify(report.connection, { $0.record(report, atNs: event.timeNs) }) { return }
        guard connections.count < Self.connectionsMax else {
            droppedEventCount += 1
            return
        }
        connections[report.connection] = ConnectionNode(report: report, atNs: event.timeNs)
    }

    public mutating func merge(_ other: TopologyProjection) {
        droppedEventCount += other.droppedEventCount
        for (name, node) in other.connections.entries {
            if connections.modify(name, { $0.merge(node) }) { continue }
            if connections.count < Self.connectionsMax {
                connections[name] = node
            } else {
                droppedEventCount += node.reportCount
            }
        }
    }
}
