/// The newest host readings within one second, for the vitals charts.
public struct VitalsSecond: WindowBucket {
    public var cpuTotal: Reading?
    public var memoryUsed: Reading?
    public var memoryTotal: Reading?
    public var load1m: Reading?

    public init() {}

    public var isEmpty: Bool { cpuTotal == nil && memoryUsed == nil && memoryTotal == nil && load1m == nil }

    public mutating func merge(_ other: VitalsSecond) {
        if let r = other.cpuTotal { cpuTotal.offer(r) }
        if let r = other.memoryUsed { memoryUsed.offer(r) }
        if let r = other.memoryTotal { memoryTotal.offer(r) }
        if let r = other.load1m { load1m.offer(r) }
    }
}
