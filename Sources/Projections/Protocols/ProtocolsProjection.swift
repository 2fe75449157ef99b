import EventStore

/// Requests per protocol from `op` events (a missing protocol counts as "unknown"):
/// share, rate, latency, errors and a status.
public struct ProtocolsProjection: Projection, Mergeable {
    public static let windowSeconds = 60
    public static let protocolsMax = 256

    public private(set) var byProtocol = BoundedKeyTable<ProtocolStats>(maxKeys: protocolsMax)
    public private(set) var headSecond: Int64?

    public init() {}

    public mutating func apply(_ event: Event, offset: UInt64) {
        guard case .op(let op) = event.body else { return }
        let micros = LatencyScale.micros(fromMs: op.durationMs)
        let time = event.timeNs
        let second = TimeUnits.unit(of: time, widthNs: TimeUnits.nanosPerSecond)
        if headSecond == nil || second > headSecond! { headSecond = second }
        byProtocol.update(op.protocol ?? LatencyProjection.unknownProtocol, make: ProtocolStats.init) {
            $0.record(timeNs: time, micros: micros, ok: op.ok)
        }
    }

    public mutating func merge(_ other: ProtocolsProjection) {
        byProtocol.merge(other.byProtocol, make: ProtocolStats.init)
        if let h = other.headSecond, headSecond == nil || h > headSecond! { headSecond = h }
    }
}
