/// One tier of one series: consecutive buckets of `widthNs` ending at `headUnit`, at
/// most `capacity` of them.
///
/// Unlike `TimeRing`, storage grows with the span the series has actually covered, so
/// a young series costs a few buckets rather than a full day of them. Once full, the
/// oldest bucket is overwritten (`start` marks it).
public struct RollupRing: Sendable {
    public private(set) var buckets: [Rollup] = []
    private var start = 0
    public private(set) var headUnit: Int64 = 0

    public init() {}

    public var count: Int { buckets.count }
    public var oldestUnit: Int64 { headUnit - Int64(buckets.count) + 1 }

    @inline(__always)
    private func physical(_ logical: Int) -> Int {
        let p = start + logical
        return p >= buckets.count ? p - buckets.count : p
    }

    /// Records into the bucket of `unit`. Returns false when the unit is older than
    /// the tier can hold.
    @inline(__always)
    public mutating func record(unit: Int64, capacity: Int, value: Double, increase: Double) -> Bool {
        if !buckets.isEmpty && unit == headUnit {
            buckets[physical(buckets.count - 1)].record(value, increase: increase)
            return true
        }
        return recordSlow(unit: unit, capacity: capacity, value: value, increase: increase)
    }

    private mutating func recordSlow(unit: Int64, capacity: Int, value: Double, increase: Double) -> Bool {
        if buckets.isEmpty {
            buckets.reserveCapacity(min(capacity, 16))
            buckets.append(Rollup())
            headUnit = unit
        } else if unit > headUnit {
            let gap = unit - headUnit
            if gap >= Int64(capacity) {
                buckets.removeAll(keepingCapacity: true)
                start = 0
                buckets.append(Rollup())
            } else {
                for _ in 0..<gap { push(Rollup(), capacity: capacity) }
            }
            headUnit = unit
        } else if unit < oldestUnit {
            // Older than the first bucket: prepend while the tier has room for it.
            guard headUnit - unit < Int64(capacity), buckets.count < capacity else { return false }
            assert(start == 0, "a ring that is not full has not wrapped")
            buckets.insert(contentsOf: repeatElement(Rollup(), count: Int(oldestUnit - unit)), at: 0)
        }
        buckets[physical(Int(unit - oldestUnit))].record(value, increase: increase)
        return true
    }

    private mutating func push(_ bucket: Rollup, capacity: Int) {
        if buckets.count < capacity {
            buckets.append(bucket)
        } else {
            buckets[start] = bucket
            start = start + 1 == buckets.count ? 0 : start + 1
        }
    }

    /// The bucket of `unit`, nil outside the tier's span.
    public func bucket(atUnit unit: Int64) -> Rollup? {
        guard !buckets.isEmpty, unit <= headUnit, unit >= oldestUnit else { return nil }
        return buckets[physical(Int(unit - oldestUnit))]
    }

    /// Buckets oldest first, with their units.
    public func forEach(fromUnit from: Int64, throughUnit through: Int64, _ body: (Int64, Rollup) -> Void) {
        guard !buckets.isEmpty else { return }
        let low = max(from, oldestUnit), high = min(through, headUnit)
        guard low <= high else { return }
        for unit in low...high {
            body(unit, buckets[physical(Int(unit - oldestUnit))])
        }
    }

    /// The buckets oldest first: the canonical content for equality and encoding.
    public var ordered: [Rollup] {
        (0..<buckets.count).map { buckets[physical($0)] }
    }

    /// Heap bytes this tier holds.
    public var footprintBytes: Int { buckets.capacity * MemoryLayout<Rollup>.stride }
}

extension RollupRing: Equatable {
    public static func == (lhs: RollupRing, rhs: RollupRing) -> Bool {
        lhs.buckets.count == rhs.buckets.count && (lhs.buckets.isEmpty || lhs.headUnit == rhs.headUnit) && lhs.ordered == rhs.ordered
    }
}

extension RollupRing: Codable {
    private enum CodingKeys: String, CodingKey {
        case headUnit = "h"
        case buckets = "b"
    }

    /// Empty buckets (gaps) encode as `0` to keep checkpoints of sparse series small.
    private enum Slot: Codable {
        case empty
        case rollup(Rollup)

        init(from decoder: any Decoder) throws {
            if let zero = try? decoder.singleValueContainer().decode(Int.self), zero == 0 {
                self = .empty
            } else {
                self = .rollup(try Rollup(from: decoder))
            }
        }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .empty:
                var c = encoder.singleValueContainer()
                try c.encode(0)
            case .rollup(let r):
                try r.encode(to: encoder)
            }
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        headUnit = try c.decode(Int64.self, forKey: .headUnit)
        buckets = try c.decode([Slot].self, forKey: .buckets).map {
            if case .rollup(let r) = $0 { return r }
            return Rollup()
        }
        start = 0
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(buckets.isEmpty ? 0 : headUnit, forKey: .headUnit)
        try c.encode(ordered.map { $0.isEmpty ? Slot.empty : .rollup($0) }, forKey: .buckets)
    }
}
