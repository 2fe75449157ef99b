import EventStore

/// One parameter change of the optimizer, as kept in the history.
public struct OptimizationRecord: Codable, Sendable, Equatable {
    public var timeNs: Int64
    public var mode: OptimizationMode
    public var efficiency: Double
    public var params: OptimizationParams
    public var reason: String?

    init(_ change: OptimizationChange, atNs timeNs: Int64) {
        self.timeNs = timeNs
        mode = change.mode
        efficiency = change.efficiency
        params = change.params
        reason = change.reason
    }

    public var change: OptimizationChange {
        OptimizationChange(mode: mode, efficiency: efficiency, params: params, reason: reason)
    }
}

/// The optimizer's parameters, mode and efficiency, from `optimization` events.
public struct OptimizationProjection: Projection, Mergeable {
    public static let historyMax = 50

    /// The change with the latest event time (the later one wins over a late event).
    public private(set) var current: OptimizationRecord?
    /// Oldest first, in event time order.
    public private(set) var history = BoundedHistory<OptimizationRecord>(capacity: historyMax)
    public private(set) var changeCount: UInt64 = 0

    public init() {}

    public mutating func apply(_ event: Event, offset: UInt64) {
        guard case .optimization(let change) = event.body else { return }
        let record = OptimizationRecord(change, atNs: event.timeNs)
        changeCount += 1
        if current.map({ record.timeNs >= $0.timeNs }) ?? true { current = record }
        if history.last.map({ record.timeNs >= $0.timeNs }) ?? true {
            history.append(record)
        } else {
            var ordered = history.elements
            let index = ordered.lastIndex { $0.timeNs <= record.timeNs }.map { $0 + 1 } ?? 0
            ordered.insert(record, at: index)
            history.replace(withOrdered: ordered, extraDropped: 0)
        }
    }

    public mutating func merge(_ other: OptimizationProjection) {
        changeCount += other.changeCount
        if let theirs = other.current, current.map({ Self.order(theirs, after: $0) }) ?? true { current = theirs }
        var merged = history.elements + other.history.elements
        merged.sort { Self.order($1, after: $0) }
        history.replace(withOrdered: merged, extraDropped: other.history.droppedCount)
    }

    /// Event time, then fields, so that merging does not depend on which side is which.
    private static func order(_ a: OptimizationRecord, after b: OptimizationRecord) -> Bool {
        (a.timeNs, a.efficiency, a.params.batchSize, a.params.maxConcurrentOps, a.reason ?? "")
            > (b.timeNs, b.efficiency, b.params.batchSize, b.params.maxConcurrentOps, b.reason ?? "")
    }
}
