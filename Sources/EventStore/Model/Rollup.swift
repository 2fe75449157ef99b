/// The summary of one series over one time bucket: min, max, mean, last, count, and
/// for counters the increase (with resets handled at apply time).
///
/// Float32 fields keep a bucket at 24 bytes: charts and history need about seven
/// significant digits, not sixteen, and the series tiers hold thousands of buckets
/// per series. Values beyond Float32's range are clamped to its largest finite value.
public struct Rollup: Sendable, Equatable {
    public var min: Float = 0
    public var max: Float = 0
    public var mean: Float = 0
    public var last: Float = 0
    /// Counters: how much the counter grew within the bucket; 0 for gauges.
    public var increase: Float = 0
    public var count: UInt32 = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    @inline(__always)
    public static func float(_ value: Double) -> Float {
        let f = Float(value)
        if f.isFinite { return f }
        return value > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude
    }

    @inline(__always)
    public mutating func record(_ value: Double, increase delta: Double) {
        let v = Self.float(value)
        if count == 0 {
            min = v
            max = v
            mean = v
        } else {
            if v < min { min = v }
            if v > max { max = v }
            let n = Double(count) + 1
            mean = Self.float(Double(mean) + (Double(v) - Double(mean)) / n)
        }
        last = v
        if delta != 0 { increase = Self.float(Double(increase) + delta) }
        if count < .max { count += 1 }
    }

    /// Folds a later bucket (or a shard's bucket of the same time) into this one.
    public mutating func merge(_ other: Rollup) {
        guard other.count > 0 else { return }
        guard count > 0 else {
            self = other
            return
        }
        let n = Double(count) + Double(other.count)
        mean = Self.float((Double(mean) * Double(count) + Double(other.mean) * Double(other.count)) / n)
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        last = other.last
        increase = Self.float(Double(increase) + Double(other.increase))
        count = UInt32(Swift.min(n, Double(UInt32.max)))
    }
}

extension Rollup: Codable {
    // `[min, max, mean, last, increase, count]`: checkpoints hold millions of these.
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        min = try c.decode(Float.self)
        max = try c.decode(Float.self)
        mean = try c.decode(Float.self)
        last = try c.decode(Float.self)
        increase = try c.decode(Float.self)
        count = try c.decode(UInt32.self)
        guard count > 0, min <= max else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a stored rollup has count > 0 and min <= max")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(min)
        try c.encode(max)
        try c.encode(mean)
        try c.encode(last)
        try c.encode(increase)
        try c.encode(count)
    }
}
