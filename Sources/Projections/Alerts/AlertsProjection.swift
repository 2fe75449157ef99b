import EventStore

/// Alerts raised, acknowledged and resolved.
///
/// Open (active or acknowledged) alerts are kept by id up to `openAlertsMax`;
/// resolved ones move to a history of the newest `resolvedHistoryMax`.
public struct AlertsProjection: Projection, Mergeable {
    public static let openAlertsMax = 1000
    public static let resolvedHistoryMax = 500

    public private(set) var open = SortedStringMap<AlertRecord>()
    /// In order of resolution, oldest first.
    public private(set) var resolved = BoundedHistory<AlertRecord>(capacity: resolvedHistoryMax)
    public private(set) var raisedBySeverity = SeverityCounts()
    /// Acknowledgements of an id that is not open (unknown or already resolved).
    public private(set) var ignoredAckCount: UInt64 = 0
    /// Resolutions of an id that is not open.
    public private(set) var ignoredResolveCount: UInt64 = 0
    /// Open alerts dropped, oldest first, to stay within `openAlertsMax`.
    public private(set) var evictedOpenCount: UInt64 = 0

    public init() {}

    public mutating func apply(_ event: Event, offset: UInt64) {
        switch event.body {
        case .alert(let alert):
            raisedBySeverity[alert.severity] += 1
            if open.modify(alert.id, { $0.reraise(alert, atNs: event.timeNs, offset: offset) }) { return }
            if open.count >= Self.openAlertsMax { evictOldestOpen() }
            open[alert.id] = AlertRecord(alert, atNs: event.timeNs, offset: offset)
        case .alertAck(let ack):
            let known = open.modify(ack.id) { record in
                guard record.status == .active else { return }
                record.status = .acknowledged
                record.acknowledgedNs = event.timeNs
                record.acknowledgedBy = ack.by
            }
            if !known { ignoredAckCount += 1 }
        case .alertResolve(let resolve):
            guard var record = open[resolve.id] else {
                ignoredResolveCount += 1
                return
            }
            open[resolve.id] = nil
            record.status = .resolved
            record.resolvedNs = event.timeNs
            resolved.append(record)
        default:
            break
        }
    }

    private mutating func evictOldestOpen() {
        guard let oldest = open.values.min(by: { AlertRecord.newerFirst($1, $0) }) else { return }
        open[oldest.raised.id] = nil
        evictedOpenCount += 1
    }

    /// Shards hold disjoint alert ids in principle; when both know an id, the later
    /// raise wins, and a resolution at or after an open alert's raise closes it.
    public mutating func merge(_ other: AlertsProjection) {
        raisedBySeverity.add(other.raisedBySeverity)
        ignoredAckCount += other.ignoredAckCount
        ignoredResolveCount += other.ignoredResolveCount
        evictedOpenCount += other.evictedOpenCount
        var history = resolved.elements + other.resolved.elements
        history.sort { ($0.resolvedNs ?? 0, $0.raisedNs, $0.raised.id) < ($1.resolvedNs ?? 0, $1.raisedNs, $1.raised.id) }
        resolved.replace(withOrdered: history, extraDropped: other.resolved.droppedCount)
        for (id, record) in other.open.entries {
            if let mine = open[id], !AlertRecord.newerFirst(record, mine) { continue }
            open[id] = record
        }
        for record in resolved.elements {
            if let openRecord = open[record.raised.id], let resolvedNs = record.resolvedNs, resolvedNs >= openRecord.raisedNs {
                open[record.raised.id] = nil
            }
        }
        while open.count > Self.openAlertsMax { evictOldestOpen() }
    }
}
