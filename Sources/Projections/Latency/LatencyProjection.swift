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
    public private(set) var minutes = TimeRing<LatencySecond>(slotWidthNs: TimeUnits.nanosPerMinute, capacity: 24 * 60)
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
        overall.record(timeNs: time, micros: micros, ok: op.ok)
        minutes.update(atTimeNs: time) { $0.record(micros: micros, ok: op.ok) }
        byOperation.update(op.name, make: LatencyStats.init) { $0.record(timeNs: time, micros: micros, ok: op.ok) }
        byProtocol.update(op.protocol ?? Self.unknownProtocol, make: LatencyStats.init) {
            $0.record(timeNs: time, micros: micros, ok: op.ok)
        }
    }

    public mutating func merge(_ other: LatencyProjection) {
        overall.merge(other.overall)
        minutes.merge(other.minutes)
        byOperation.merge(other.byOperation, make: LatencyStats.init)
        byProtocol.merge(other.byProtocol, make: LatencyStats.init)
        if let h = other.headSecond, headSecond == nil || h > headSecond! { headSecond = h }
    }
}
