import EventStore
import Foundation

/// One tier of one series: consecutive buckets of `widthNs` ending at `headUnit`, at
/// most `capacity` of them.
///
/// Unlike `TimeRing`, storage grows with the span the series has actually covered, so
/// a young series costs a few buckets rather than a full day of them. Once full, the
/// oldest bucket is overwritten.
///
/// Storage takes the cheapest of three forms for what the ring has held, and every
/// reader, equality and the encoding see the same content in each:
/// - `sparse`: while no bucket has held a second sample and at most half of the span
///   holds one, the samples with their units, 16 bytes each (a 15 s scrape in the
///   one-second tier: 20 of 300 buckets);
/// - `singles`: while no bucket has held a second sample, a slot per bucket holding
///   its one sample, 8 bytes (a series sampled about once a second);
/// - `wide`: once a bucket got a second sample, a `Rollup` per bucket, 24 bytes; a
///   ring stays in it.
public struct RollupRing: Sendable {
    enum Form: UInt8 { case sparse, singles, wide }

    /// `sparse`: the non-empty buckets, ascending by unit.
    private var entries: [SparseEntry] = []
    /// `singles`: a slot per bucket, `start` the oldest.
    private var singles: [SingleSample] = []
    /// `wide`: a rollup per bucket, `start` the oldest.
    private var wide: [Rollup] = []
    private(set) var form = Form.sparse
    /// `sparse`: the buckets the span covers.
    private var sparseCount = 0
    /// `singles`: the slots holding a sample.
    private var singlesFilled = 0
    private var start = 0
    public private(set) var headUnit: Int64 = 0

    /// Spans shorter than this stay `sparse`; past it a ring is `singles` when more than
    /// half of its buckets hold a sample and goes back to `sparse` below a quarter.
    static let denseSpanMin = 16

    public init() {}

    /// A ring that stores rollups from its first bucket (the form before the others;
    /// tests compare them).
    init(storingRollups: Bool) {
        form = storingRollups ? .wide : .sparse
    }

    public var count: Int {
        switch form {
        case .sparse: sparseCount
        case .singles: singles.count
        case .wide: wide.count
        }
    }

    public var oldestUnit: Int64 { headUnit - Int64(count) + 1 }

    @inline(__always)
    private func physical(_ logical: Int) -> Int {
        let p = start + logical
        let n = count
        return p >= n ? p - n : p
    }

    /// The bucket `logical` places after the oldest.
    @inline(__always)
    func rollup(atLogical logical: Int) -> Rollup {
        switch form {
        case .wide: return wide[physical(logical)]
        case .singles: return singles[physical(logical)].rollup
        case .sparse:
            let unit = oldestUnit + Int64(logical)
            let i = entryIndex(atOrAfter: unit)
            return i < entries.count && entries[i].unit == unit ? entries[i].sample.rollup : Rollup()
        }
    }

    /// The first entry whose unit is `unit` or later (`sparse`).
    private func entryIndex(atOrAfter unit: Int64) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].unit < unit { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Records into the bucket of `unit`. Returns false when the unit is older than
    /// the tier can hold.
    @inline(__always)
    public mutating func record(unit: Int64, capacity: Int, value: Double, increase: Double) -> Bool {
        if form == .wide && count > 0 && unit == headUnit {
            wide[physical(count - 1)].record(value, increase: increase)
            return true
        }
        return recordSlow(unit: unit, capacity: capacity, value: value, increase: increase)
    }

    private mutating func recordSlow(unit: Int64, capacity: Int, value: Double, increase: Double) -> Bool {
        switch form {
        case .wide, .singles:
            guard placeDense(unit: unit, capacity: capacity) else { return false }
            let index = physical(Int(unit - oldestUnit))
            if form == .singles {
                if singles[index].isEmpty {
                    singles[index] = SingleSample(value: value, increase: increase)
                    singlesFilled += 1
                    if count >= Self.denseSpanMin && singlesFilled * 4 < count { thin() }
                    return true
                }
                widen()
            }
            wide[physical(Int(unit - oldestUnit))].record(value, increase: increase)
        case .sparse:
            guard placeSparse(unit: unit, capacity: capacity) else { return false }
            let i = entryIndex(atOrAfter: unit)
            if i < entries.count && entries[i].unit == unit {
                widen()
                wide[physical(Int(unit - oldestUnit))].record(value, increase: increase)
                return true
            }
            let entry = SparseEntry(unit: unit, sample: SingleSample(value: value, increase: increase))
            // Grown by a quarter, as the dense forms: doubling left a 15 s scrape's 21
            // seconds in room for 32 (176 of about 2,000 bytes per series).
            if entries.count == entries.capacity { entries.reserveCapacity(Swift.max(4, entries.count + entries.count / 4)) }
            if i == entries.count { entries.append(entry) } else { entries.insert(entry, at: i) }
            if sparseCount >= Self.denseSpanMin && entries.count * 2 > sparseCount { thicken() }
        }
        return true
    }

    /// Moves the span of a dense form so that it holds `unit`; false when `unit` is
    /// older than the tier can hold.
    private mutating func placeDense(unit: Int64, capacity: Int) -> Bool {
        if count == 0 {
            reserve(min(capacity, 4))
            appendEmpty()
            headUnit = unit
        } else if unit > headUnit {
            let gap = unit - headUnit
            if gap >= Int64(capacity) {
                if form == .wide { wide.removeAll(keepingCapacity: true) } else { singles.removeAll(keepingCapacity: true) }
                singlesFilled = 0
                start = 0
                appendEmpty()
            } else {
                for _ in 0..<gap { pushEmpty(capacity: capacity) }
            }
            headUnit = unit
        } else if unit < oldestUnit {
            // Older than the first bucket: prepend while the tier has room for it.
            guard headUnit - unit < Int64(capacity), count < capacity else { return false }
            assert(start == 0, "a ring that is not full has not wrapped")
            let added = Int(oldestUnit - unit)
            if form == .wide {
                wide.insert(contentsOf: repeatElement(Rollup(), count: added), at: 0)
            } else {
                singles.insert(contentsOf: repeatElement(SingleSample.empty, count: added), at: 0)
            }
        }
        return true
    }

    /// `placeDense` for the sparse form: the same span, its entries dropped as it passes them.
    private mutating func placeSparse(unit: Int64, capacity: Int) -> Bool {
        if sparseCount == 0 {
            sparseCount = 1
            headUnit = unit
        } else if unit > headUnit {
            let gap = unit - headUnit
            sparseCount = gap >= Int64(capacity) ? 1 : min(capacity, sparseCount + Int(gap))
            headUnit = unit
            let passed = entryIndex(atOrAfter: oldestUnit)
            if passed > 0 { entries.removeFirst(passed) }
        } else if unit < oldestUnit {
            guard headUnit - unit < Int64(capacity), sparseCount < capacity else { return false }
            sparseCount = Int(headUnit - unit) + 1
        }
        return true
    }

    private var storageCapacity: Int { form == .wide ? wide.capacity : singles.capacity }

    private mutating func reserve(_ buckets: Int) {
        if form == .wide { wide.reserveCapacity(buckets) } else { singles.reserveCapacity(buckets) }
    }

    private mutating func appendEmpty() {
        if form == .wide { wide.append(Rollup()) } else { singles.append(.empty) }
    }

    private mutating func pushEmpty(capacity: Int) {
        let n = count
        if n < capacity {
            // Grown by a quarter, never past the tier's capacity: Array's doubling left a
            // 300-bucket tier holding room for 512 and an 84-minute one for 128 (6 KB of
            // 16.5 per series over 50 M events of 10,000 series). A tier fills once.
            if n == storageCapacity { reserve(min(capacity, Swift.max(16, n + n / 4))) }
            appendEmpty()
        } else if form == .wide {
            wide[start] = Rollup()
            start = start + 1 == n ? 0 : start + 1
        } else {
            if !singles[start].isEmpty { singlesFilled -= 1 }
            singles[start] = .empty
            start = start + 1 == n ? 0 : start + 1
        }
    }

    /// `sparse` → `singles`: more than half of the span holds a sample.
    private mutating func thicken() {
        var slots = [SingleSample](repeating: .empty, count: sparseCount)
        let oldest = oldestUnit
        for entry in entries { slots[Int(entry.unit - oldest)] = entry.sample }
        singlesFilled = entries.count
        singles = slots
        entries = []
        start = 0
        form = .singles
    }

    /// `singles` → `sparse`: under a quarter of the span holds a sample.
    private mutating func thin() {
        let oldest = oldestUnit
        var kept: [SparseEntry] = []
        kept.reserveCapacity(singlesFilled)
        for logical in 0..<singles.count {
            let slot = singles[physical(logical)]
            if !slot.isEmpty { kept.append(SparseEntry(unit: oldest + Int64(logical), sample: slot)) }
        }
        sparseCount = singles.count
        entries = kept
        singles = []
        singlesFilled = 0
        start = 0
        form = .sparse
    }

    /// Every bucket as a rollup from now on, oldest first: a bucket got its second sample.
    private mutating func widen() {
        var rollups: [Rollup] = []
        rollups.reserveCapacity(form == .singles ? singles.capacity : sparseCount)
        for logical in 0..<count { rollups.append(rollup(atLogical: logical)) }
        wide = rollups
        singles = []
        entries = []
        singlesFilled = 0
        start = 0
        form = .wide
    }

    /// The bucket of `unit`, nil outside the tier's span.
    public func bucket(atUnit unit: Int64) -> Rollup? {
        guard count > 0, unit <= headUnit, unit >= oldestUnit else { return nil }
        return rollup(atLogical: Int(unit - oldestUnit))
    }

    /// Buckets oldest first, with their units.
    public func forEach(fromUnit from: Int64, throughUnit through: Int64, _ body: (Int64, Rollup) -> Void) {
        guard count > 0 else { return }
        let low = max(from, oldestUnit), high = min(through, headUnit)
        guard low <= high else { return }
        guard form == .sparse else {
            for unit in low...high { body(unit, rollup(atLogical: Int(unit - oldestUnit))) }
            return
        }
        var i = entryIndex(atOrAfter: low)
        for unit in low...high {
            if i < entries.count && entries[i].unit == unit {
                body(unit, entries[i].sample.rollup)
                i += 1
            } else {
                body(unit, Rollup())
            }
        }
    }

    /// How many buckets hold a sample: kept by the two single-sample forms, counted
    /// for rollups.
    var filledCount: Int {
        switch form {
        case .sparse: entries.count
        case .singles: singlesFilled
        case .wide: wide.reduce(0) { $0 + ($1.isEmpty ? 0 : 1) }
        }
    }

    /// The non-empty buckets oldest first, with their logical index.
    func forEachFilled(_ body: (Int, Rollup) -> Void) {
        switch form {
        case .sparse:
            let oldest = oldestUnit
            for entry in entries { body(Int(entry.unit - oldest), entry.sample.rollup) }
        case .singles, .wide:
            for logical in 0..<count {
                let r = rollup(atLogical: logical)
                if !r.isEmpty { body(logical, r) }
            }
        }
    }

    /// The buckets oldest first: the canonical content for equality and encoding.
    public var ordered: [Rollup] {
        (0..<count).map { rollup(atLogical: $0) }
    }

    /// A ring holding `ordered` (oldest first) up to `headUnit`, in the form the live
    /// fold would hold that content in.
    init(ordered: [Rollup], headUnit: Int64) {
        self.headUnit = headUnit
        guard ordered.allSatisfy({ $0.isEmpty || SingleSample($0) != nil }) else {
            wide = ordered
            form = .wide
            return
        }
        let filled = ordered.reduce(0) { $0 + ($1.isEmpty ? 0 : 1) }
        if ordered.count < Self.denseSpanMin || filled * 4 < ordered.count {
            for (logical, r) in ordered.enumerated() {
                if let single = SingleSample(r) { entries.append(SparseEntry(unit: oldestUnit(ofCount: ordered.count) + Int64(logical), sample: single)) }
            }
            sparseCount = ordered.count
            form = .sparse
        } else {
            singles = ordered.map { SingleSample($0) ?? .empty }
            singlesFilled = filled
            form = .singles
        }
    }

    private func oldestUnit(ofCount n: Int) -> Int64 { headUnit - Int64(n) + 1 }

    /// The newest `capacity` buckets.
    func newest(_ capacity: Int) -> RollupRing {
        guard count > capacity else { return self }
        return RollupRing(ordered: Array(ordered.suffix(capacity)), headUnit: headUnit)
    }

    /// Heap bytes this tier holds.
    public var footprintBytes: Int {
        switch form {
        case .sparse: entries.capacity * MemoryLayout<SparseEntry>.stride
        case .singles: singles.capacity * MemoryLayout<SingleSample>.stride
        case .wide: wide.capacity * MemoryLayout<Rollup>.stride
        }
    }

    /// A bucket holding one sample, and its unit (`sparse`).
    struct SparseEntry: Sendable {
        var unit: Int64
        var sample: SingleSample
    }

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
            byteCount = ring.filledCount * RollupRing.packedRecordBytes
        }

        func writeBytes(into out: inout [UInt8]) {
            func put(_ value: UInt32) {
                withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
            }
            ring.forEachFilled { logical, r in
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
