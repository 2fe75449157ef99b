import Foundation

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
    func physical(_ logical: Int) -> Int {
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
            buckets.reserveCapacity(min(capacity, 4))
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
            // Grown by a quarter, never past the tier's capacity: Array's doubling left a
            // 300-bucket tier holding room for 512 and an 84-minute one for 128 (6 KB of
            // 16.5 per series over 50 M events of 10,000 series). A tier fills once.
            if buckets.count == buckets.capacity { buckets.reserveCapacity(min(capacity, Swift.max(16, buckets.count + buckets.count / 4))) }
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
        case count = "n"
        case packed = "p"
        case buckets = "b"
    }

    /// Bytes of one non-empty bucket in `packed`: its logical index (UInt32), then
    /// min, max, mean, last, increase as Float32 bit patterns and count (UInt32), all
    /// little-endian.
    static let packedRecordBytes = 28

    /// Checkpoints hold these for every series and tier, millions of buckets: one
    /// packed blob per ring (base64 in the JSON document) instead of six JSON numbers
    /// per bucket, so checkpoints encode and decode without formatting or parsing a
    /// float per field. Empty buckets (gaps) are left out of the blob.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(buckets.isEmpty ? 0 : headUnit, forKey: .headUnit)
        try c.encode(buckets.count, forKey: .count)
        try c.encode(PackedBuckets(ring: self), forKey: .packed)
    }

    /// The packed blob, written when the encoding is written (`CompactDeferredBytes`):
    /// it holds the ring's storage, not a copy of it.
    struct PackedBuckets: CompactDeferredBytes {
        let ring: RollupRing
        let byteCount: Int

        init(ring: RollupRing) {
            self.ring = ring
            byteCount = ring.buckets.reduce(0) { $0 + ($1.isEmpty ? 0 : RollupRing.packedRecordBytes) }
        }

        func writeBytes(into out: inout [UInt8]) {
            func put(_ value: UInt32) {
                withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
            }
            for logical in 0..<ring.buckets.count {
                let r = ring.buckets[ring.physical(logical)]
                guard !r.isEmpty else { continue }
                put(UInt32(logical))
                put(r.min.bitPattern)
                put(r.max.bitPattern)
                put(r.mean.bitPattern)
                put(r.last.bitPattern)
                put(r.increase.bitPattern)
                put(r.count)
            }
        }

        func encode(to encoder: any Encoder) throws {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(byteCount)
            writeBytes(into: &bytes)
            var c = encoder.singleValueContainer()
            try c.encode(Data(bytes))
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        headUnit = try c.decode(Int64.self, forKey: .headUnit)
        start = 0
        guard let packed = try c.decodeIfPresent(Data.self, forKey: .packed) else {
            // Checkpoints written before the packed form: a JSON array per bucket.
            buckets = try c.decode([LegacySlot].self, forKey: .buckets).map(\.rollup)
            return
        }
        let count = try c.decode(Int.self, forKey: .count)
        guard count >= 0, count <= SeriesRetention.bucketsPerRingMax, packed.count % Self.packedRecordBytes == 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .packed, in: c, debugDescription: "a ring of \(count) buckets with \(packed.count) packed bytes")
        }
        var ring = [Rollup](repeating: Rollup(), count: count)
        let bytes = [UInt8](packed)
        func word(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        var at = 0
        var previous = -1
        while at < bytes.count {
            let logical = Int(word(at))
            var r = Rollup()
            r.min = Float(bitPattern: word(at + 4))
            r.max = Float(bitPattern: word(at + 8))
            r.mean = Float(bitPattern: word(at + 12))
            r.last = Float(bitPattern: word(at + 16))
            r.increase = Float(bitPattern: word(at + 20))
            r.count = word(at + 24)
            // The fold keeps every field finite (`Rollup.float` clamps); a stored NaN would
            // make a state that does not equal itself (a fuzz finding, `stored-state`).
            let finite = [r.min, r.max, r.mean, r.last, r.increase].allSatisfy(\.isFinite)
            guard logical > previous, logical < count, r.count > 0, finite, r.min <= r.max else {
                throw DecodingError.dataCorruptedError(
                    forKey: .packed, in: c, debugDescription: "packed bucket \(logical) is out of order, out of range, not finite or not a rollup")
            }
            ring[logical] = r
            previous = logical
            at += Self.packedRecordBytes
        }
        buckets = ring
    }

    /// The earlier form: `0` for an empty bucket, else the rollup's JSON array.
    private struct LegacySlot: Decodable {
        let rollup: Rollup

        init(from decoder: any Decoder) throws {
            if let zero = try? decoder.singleValueContainer().decode(Int.self), zero == 0 {
                rollup = Rollup()
            } else {
                rollup = try Rollup(from: decoder)
            }
        }
    }
}
