import EventStore

/// Latency percentiles and distribution of `op` events over the last 60 s and since
/// start, overall, per operation name and per protocol.
public struct LatencyProjection: Projection, Mergeable {
    public static let windowSeconds = 60
    /// Distinct operation names and protocols kept; more share the entry "other".
    public static let operationNamesMax = 256
    public static let protocolsMax = 256
    /// The protocol of operations that give none.
    public static let unknownProtocol = "unknown"

    public private(set) var overall = LatencyStats()
    public private(set) var byOperation = BoundedKeyTable<LatencyStats>(maxKeys: operationNamesMax)
    public private(set) var byProtocol = BoundedKeyTable<LatencyStats>(maxKeys: protocolsMax)
    /// Per-minute latencies of all operations for 24 h, for historical analysis.
    public var minutes: TimeRing<LatencySecond> { closedMinutes.including(openSecond, of: overall.window) }
    /// The minutes but for the open second of `overall.window`, which joins them when
    /// the next second opens (`OpenSlot`); stored as `minutes`.
    private var closedMinutes = TimeRing<LatencySecond>(slotWidthNs: TimeUnits.nanosPerMinute, capacity: 24 * 60)
    private var openSecond = OpenSlot()
    /// The newest second any operation reached: the window ends before it.
    public private(set) var headSecond: Int64?

    public init() {}

    public mutating func apply(_ event: Event, offset: UInt64) {
        guard case .op(let op) = event.body else { return }
        apply(op, timeNs: event.timeNs)
    }

    /// `apply` of an operation event (`ProjectionSet` matches the type once for all).
    mutating func apply(_ op: Operation, timeNs time: Int64) {
        let micros = LatencyScale.micros(fromMs: op.durationMs)
        let second = TimeUnits.unit(of: time, widthNs: TimeUnits.nanosPerSecond)
        if headSecond == nil || second > headSecond! { headSecond = second }
        switch openSecond.step(second, fineHead: overall.window.headUnit) {
        case .open:
            break
        case .opens(let closing):
            // Before the new second moves the window on: the closing second is in it.
            if let closing { closedMinutes.add(closedSlot: closing, of: overall.window) }
            closedMinutes.advance(toUnit: closedMinutes.unit(of: time))
        case .late:
            closedMinutes.update(atTimeNs: time) { $0.record(micros: micros, ok: op.ok) }
        }
        overall.record(timeNs: time, micros: micros, ok: op.ok)
        byOperation.update(op.name, make: LatencyStats.init) { $0.record(timeNs: time, micros: micros, ok: op.ok) }
        byProtocol.update(op.protocol ?? Self.unknownProtocol, make: LatencyStats.init) {
            $0.record(timeNs: time, micros: micros, ok: op.ok)
        }
    }

    /// This state with the open second in the minutes: what is stored, merged and compared.
    private var closed: LatencyProjection {
        var copy = self
        if let second = copy.openSecond.close() { copy.closedMinutes.add(closedSlot: second, of: copy.overall.window) }
        return copy
    }

    public mutating func merge(_ other: LatencyProjection) {
        self = closed
        let other = other.closed
        overall.merge(other.overall)
        closedMinutes.merge(other.closedMinutes)
        byOperation.merge(other.byOperation, make: LatencyStats.init)
        byProtocol.merge(other.byProtocol, make: LatencyStats.init)
        if let h = other.headSecond, headSecond == nil || h > headSecond! { headSecond = h }
    }
}

extension LatencyProjection {
    private enum CodingKeys: String, CodingKey {
        case overall, byOperation, byProtocol, closedMinutes = "minutes", headSecond
    }

    public func encode(to encoder: any Encoder) throws {
        let closed = closed
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(closed.overall, forKey: .overall)
        try container.encode(closed.byOperation, forKey: .byOperation)
        try container.encode(closed.byProtocol, forKey: .byProtocol)
        try container.encode(closed.closedMinutes, forKey: .closedMinutes)
        try container.encodeIfPresent(closed.headSecond, forKey: .headSecond)
    }

    /// Equal when they hold the same operations, open second or not.
    public static func == (lhs: LatencyProjection, rhs: LatencyProjection) -> Bool {
        let l = lhs.closed, r = rhs.closed
        return l.overall == r.overall && l.byOperation == r.byOperation && l.byProtocol == r.byProtocol
            && l.closedMinutes == r.closedMinutes && l.headSecond == r.headSecond
    }
}
