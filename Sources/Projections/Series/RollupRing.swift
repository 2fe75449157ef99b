import Foundation

/// One tier of one series: consecutive buckets of `widthNs` ending at `headUnit`, at
/// most `capacity` of them.
///
/// Unlike `TimeRing`, storage grows with the span the series has actually covered, so
/// a young series costs a few buckets rather than a full day of them. Once full, the
/// oldest bucket is overwritten (`start` marks it).
///
/// While no bucket has held a second sample (the one-second tier of a series sampled
/// once a second or less often: a scrape, a remote write, an OTLP export) a bucket is
/// stored as its one sample, 8 bytes, instead of a 24-byte `Rollup`; the first bucket
/// to get a second sample turns the ring into rollups for good. The content, what
/// every reader and the encoding see, is the same either way.
public struct RollupRing: Sendable {
    /// The buckets while every one holds at most one sample; empty once `isWide`.
    private var singles: [SingleSample] = []
    /// The buckets once one held two samples or more.
    private var wide: [Rollup] = []
    private var isWide = false
    private var start = 0
    public private(set) var headUnit: Int64 = 0

    public init() {}

    /// A ring that stores rollups from its first bucket (the form before single
    /// samples; tests compare the two).
    init(storingRollups: Bool) {
        isWide = storingRollups
    }

    public var count: Int { isWide ? wide.count : singles.count }
    public var oldestUnit: Int64 { headUnit - Int64(count) + 1 }

    @inline(__always)
    func physical(_ logical: Int) -> Int {
        let p = start + logical
        let n = count
        return p >= n ? p - n : p
    }

    @inline(__always)
    func rollup(atPhysical index: Int) -> Rollup {
        isWide ? wide[index] : singles[index].rollup
    }

    /// Records into the bucket of `unit`. Returns false when the unit is older than
    /// the tier can hold.
    @inline(__always)
    public mutating func record(unit: Int64, capacity: Int, value: Double, increase: Double) -> Bool {
        if count > 0 && unit == headUnit {
            record(atPhysical: physical(count - 1), value: value, increase: increase)
            return true
        }
        return recordSlow(unit: unit, capacity: capacity, value: value, increase: increase)
    }

    @inline(__always)
    private mutating func record(atPhysical index: Int, value: Double, increase: Double) {
        if !isWide {
            if singles[index].isEmpty {
                singles[index] = SingleSample(value: value, increase: increase)
                return
            }
            widen()
        }
        wide[index].record(value, increase: increase)
    }

    /// Every bucket as a rollup from now on: a bucket got its second sample.
    private mutating func widen() {
        var rollups: [Rollup] = []
        rollups.reserveCapacity(singles.capacity)
        for single in singles { rollups.append(single.rollup) }
        wide = rollups
        singles = []
        isWide = true
    }

    private mutating func recordSlow(unit: Int64, capacity: Int, value: Double, increase: Double) -> Bool {
        if count == 0 {
            reserve(min(capacity, 4))
            append(empty: 1)
            headUnit = unit
        } else if unit > headUnit {
            let gap = unit - headUnit
            if gap >= Int64(capacity) {
                if isWide { wide.removeAll(keepingCapacity: true) } else { singles.removeAll(keepingCapacity: true) }
                start = 0
                append(empty: 1)
            } else {
                for _ in 0..<gap { pushEmpty(capacity: capacity) }
            }
            headUnit = unit
        } else if unit < oldestUnit {
            // Older than the first bucket: prepend while the tier has room for it.
            guard headUnit - unit < Int64(capacity), count < capacity else { return false }
            assert(start == 0, "a ring that is not full has not wrapped")
            let added = Int(oldestUnit - unit)
            if isWide {
                wide.insert(contentsOf: repeatElement(Rollup(), count: added), at: 0)
            } else {
                singles.insert(contentsOf: repeatElement(SingleSample.empty, count: added), at: 0)
            }
        }
        record(atPhysical: physical(Int(unit - oldestUnit)), value: value, increase: increase)
        return true
    }

    private var storageCapacity: Int { isWide ? wide.capacity : singles.capacity }

    private mutating func reserve(_ buckets: Int) {
        if isWide { wide.reserveCapacity(buckets) } else { singles.reserveCapacity(buckets) }
    }

    private mutating func append(empty buckets: Int) {
        for _ in 0..<buckets {
            if isWide { wide.append(Rollup()) } else { singles.append(.empty) }
        }
    }

    private mutating func pushEmpty(capacity: Int) {
        let n = count
        if n < capacity {
            // Grown by a quarter, never past the tier's capacity: Array's doubling left a
            // 300-bucket tier holding room for 512 and an 84-minute one for 128 (6 KB of
            // 16.5 per series over 50 M events of 10,000 series). A tier fills once.
            if n == storageCapacity { reserve(min(capacity, Swift.max(16, n + n / 4))) }
            append(empty: 1)
        } else {
            if isWide { wide[start] = Rollup() } else { singles[start] = .empty }
            start = start + 1 == n ? 0 : start + 1
        }
    }

    /// The bucket of `unit`, nil outside the tier's span.
    public func bucket(atUnit unit: Int64) -> Rollup? {
        guard count > 0, unit <= headUnit, unit >= oldestUnit else { return nil }
        return rollup(atPhysical: physical(Int(unit - oldestUnit)))
    }

    /// Buckets oldest first, with their units.
    public func forEach(fromUnit from: Int64, throughUnit through: Int64, _ body: (Int64, Rollup) -> Void) {
        guard count > 0 else { return }
        let low = max(from, oldestUnit), high = min(through, headUnit)
        guard low <= high else { return }
        for unit in low...high {
            body(unit, rollup(atPhysical: physical(Int(unit - oldestUnit))))
        }
    }

    /// The buckets oldest first: the canonical content for equality and encoding.
    public var ordered: [Rollup] {
        (0..<count).map { rollup(atPhysical: physical($0)) }
    }

    /// A ring holding `ordered` (oldest first) up to `headUnit`, in the one-sample
    /// form when every bucket allows it.
    init(ordered: [Rollup], headUnit: Int64) {
        self.headUnit = headUnit
        if ordered.allSatisfy({ $0.isEmpty || SingleSample($0) != nil }) {
            singles = ordered.map { SingleSample($0) ?? .empty }
        } else {
            wide = ordered
            isWide = true
        }
    }

    /// Heap bytes this tier holds.
    public var footprintBytes: Int {
        isWide ? wide.capacity * MemoryLayout<Rollup>.stride : singles.capacity * MemoryLayout<SingleSample>.stride
    }

    /// Whether the ring stores its buckets as single samples (tests and footprints).
    var holdsSingleSamples: Bool { !isWide }

    /// A bucket that holds at most one sample: the rollup of that sample.
    struct SingleSample: Sendable, Equatable {
        /// `Rollup.float` of the sample; the empty bucket is a NaN, which no stored
        /// value is (the fold keeps every field finite).
        var value: Float
        var increase: Float

        static let empty = SingleSample(value: Float.nan, increase: Float(0))

        private init(value: Float, increase: Float) {
            self.value = value
            self.increase = increase
        }

        /// The bucket after `Rollup.record(value, increase:)` into an empty one.
        @inline(__always)
        init(value: Double, increase delta: Double) {
            self.value = Rollup.float(value)
            self.increase = delta != 0 ? Rollup.float(delta) : 0
        }

        /// `rollup`'s one-sample form, nil when it is not one sample.
        init?(_ rollup: Rollup) {
            guard rollup.count == 1, rollup.min == rollup.last, rollup.max == rollup.last, rollup.mean == rollup.last,
                  rollup.last.isFinite
            else { return nil }
            self.init(value: rollup.last, increase: rollup.increase)
        }

        var isEmpty: Bool { value.isNaN }

        @inline(__always)
        var rollup: Rollup {
            var r = Rollup()
            guard !isEmpty else { return r }
            r.min = value
            r.max = value
            r.mean = value
            r.last = value
            r.increase = increase
            r.count = 1
            return r
        }
    }
}

extension RollupRing: Equatable {
    public static func == (lhs: RollupRing, rhs: RollupRing) -> Bool {
        lhs.count == rhs.count && (lhs.count == 0 || lhs.headUnit == rhs.headUnit) && lhs.ordered == rhs.ordered
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
        try c.encode(count == 0 ? 0 : headUnit, forKey: .headUnit)
        try c.encode(count, forKey: .count)
        try c.encode(PackedBuckets(ring: self), forKey: .packed)
    }

    /// The packed blob, written when the encoding is written (`CompactDeferredBytes`):
    /// it holds the ring's storage, not a copy of it.
    struct PackedBuckets: CompactDeferredBytes {
        let ring: RollupRing
        let byteCount: Int

        init(ring: RollupRing) {
            self.ring = ring
            byteCount = (0..<ring.count).reduce(0) { $0 + (ring.rollup(atPhysical: $1).isEmpty ? 0 : RollupRing.packedRecordBytes) }
        }

        func writeBytes(into out: inout [UInt8]) {
            func put(_ value: UInt32) {
                withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
            }
            for logical in 0..<ring.count {
                let r = ring.rollup(atPhysical: ring.physical(logical))
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
        let headUnit = try c.decode(Int64.self, forKey: .headUnit)
        guard let packed = try c.decodeIfPresent(Data.self, forKey: .packed) else {
            // Checkpoints written before the packed form: a JSON array per bucket.
            self.init(ordered: try c.decode([LegacySlot].self, forKey: .buckets).map(\.rollup), headUnit: headUnit)
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
        self.init(ordered: ring, headUnit: headUnit)
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
