import EventStore

/// Circuit breakers per connection, folded from `breaker` transitions and
/// `connection` reports (parse rate, latency).
public struct CircuitBreakersProjection: Projection, Mergeable {
    public static let transitionHistoryMax = 50
    /// Distinct connections tracked; events naming further ones are counted, not kept.
    public static let connectionsMax = 10_000

    public private(set) var connections = SortedStringMap<BreakerRecord>()
    public private(set) var droppedEventCount: UInt64 = 0

    public init() {}

    public mutating func apply(_ event: Event, offset: UInt64) {
        switch event.body {
        case .breaker(let transition):
            withRecord(transition.connection) { $0.record(transition, atNs: event.timeNs) }
        case .connection(let report):
            withRecord(report.connection) { $0.record(report, atNs: event.timeNs) }
        default:
            break
        }
    }

    private mutating func withRecord(_ connection: String, _ body: (inout BreakerRecord) -> Void) {
        if !connections.contains(connection), connections.count >= Self.connectionsMax {
            droppedEventCount += 1
            return
        }
        connections.update(connection, initial: BreakerRecord.init, body)
    }

    public mutating func merge(_ other: CircuitBreakersProjection) {
        droppedEventCount += other.droppedEventCount
        for (connection, record) in other.connections.entries {
            if connections.modify(connection, { $0.merge(record) }) { continue }
            if connections.count < Self.connectionsMax {
                connections[connection] = record
            } else {
                droppedEventCount += record.transitionCount
            }
        }
    }

    public func record(for connection: String) -> BreakerRecord? { connections[connection] }
}
