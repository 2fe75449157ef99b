import EventStore

/// The little the health score needs that no other projection keeps: the span of
/// event time seen (for uptime) and operations and errors per second over the last
/// minute (for the error rate). Every event moves the window's end, so a quiet
/// minute empties it.
public struct HealthProjection: Projection, Mergeable {
    public static let errorWindowSeconds = 60
    static let opsLane = 0
    static let errorsLane = 1

    public private(set) var firstEventNs: Int64?
    public private(set) var lastEventNs: Int64?
    public private(set) var operations = SecondBucketRing(capacitySeconds: errorWindowSeconds, lanes: 2)

    public init() {}

    public mutating func apply(_ event: Event, offset: UInt64) {
        let timeNs = event.timeNs
        firstEventNs = min(firstEventNs ?? timeNs, timeNs)
        lastEventNs = max(lastEventNs ?? timeNs, timeNs)
        if case .op(let operation) = event.body {
            operations.add(atNs: timeNs, [1, operation.ok ? 0 : 1])
        } else {
            operations.advance(toSecond: SecondBucketRing.second(ofNs: timeNs))
        }
    }

    public mutating func merge(_ other: HealthProjection) {
        firstEventNs = [firstEventNs, other.firstEventNs].compactMap { $0 }.min()
        lastEventNs = [lastEventNs, other.lastEventNs].compactMap { $0 }.max()
        operations.merge(other.operations)
    }

    /// Event time between the first and the latest event; nil before any event.
    public var uptimeNs: Int64? {
        guard let first = firstEventNs, let last = lastEventNs else { return nil }
        return last - first
    }

    public var operationsLastMinute: Double { operations.sum(lane: Self.opsLane) }

    /// Failed operations as a percentage of all in the last minute; nil without any.
    public var errorPercentLastMinute: Double? {
        let total = operations.sum(lane: Self.opsLane)
        guard total > 0 else { return nil }
        return operations.sum(lane: Self.errorsLane) / total * 100
    }
}
