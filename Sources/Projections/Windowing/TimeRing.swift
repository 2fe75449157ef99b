/// A ring of fixed-width time slots over event time (per-second buckets for "the
/// last 60 s", per-minute buckets for a day), generic over what a slot holds.
///
/// The ring's head is the newest unit any event has reached. A slot is live while its
/// unit lies in `(head - capacity, head]`; slots are not cleared when time moves on but
/// carry the unit they hold, so a gap (units with no events) reads as empty and a jump
/// of any size costs nothing. An event older than the ring's span is refused as
/// `.late`; an event ahead of the head moves the head there, as time has moved on.
public struct TimeRing<Bucket: WindowBucket>: Sendable {
    public let slotWidthNs: Int64
    public let capacity: Int
    /// The newest unit reached, nil before the first event.
    public private(set) var headUnit: Int64?
    /// The unit each slot holds; `emptyUnit` for a slot never written.
    private var units: [Int64]
    private var slots: [Bucket]

    private static var emptyUnit: Int64 { Int64.min }

    public init(slotWidthNs: Int64, capacity: Int) {
        precondition(slotWidthNs > 0, "slot width must be positive")
        precondition(capacity > 0, "capacity must be positive")
        self.slotWidthNs = slotWidthNs
        self.capacity = capacity
        self.units = Array(repeating: Self.emptyUnit, count: capacity)
        self.slots = Array(repeating: Bucket(), count: capacity)
    }

    /// The oldest unit still inside the ring's span.
    public var oldestUnit: Int64? { headUnit.map { $0 - Int64(capacity) + 1 } }

    @inline(__always)
    public func unit(of timeNs: Int64) -> Int64 { TimeUnits.unit(of: timeNs, widthNs: slotWidthNs) }

    @inline(__always)
    private func slotIndex(_ unit: Int64) -> Int {
        let r = unit % Int64(capacity)
        return Int(r < 0 ? r + Int64(capacity) : r)
    }

    /// Updates the bucket of the unit holding `timeNs`, moving the head forward if
    /// the event is newer than anything seen.
    @discardableResult
    public mutating func update(atTimeNs timeNs: Int64, _ body: (inout Bucket) -> Void) -> RingPlacement {
        update(unit: unit(of: timeNs), body)
    }

    @discardableResult
    public mutating func update(unit: Int64, _ body: (inout Bucket) -> Void) -> RingPlacement {
        if let head = headUnit {
            if unit <= head - Int64(capacity) { return .late }
            if unit > head { headUnit = unit }
        } else {
            headUnit = unit
        }
        let index = slotIndex(unit)
        if units[index] != unit {
            // The slot holds a unit that has left the span (never a newer one: a newer
            // unit with this index would be at least `capacity` ahead of `unit`).
            units[index] = unit
            slots[index] = Bucket()
        }
        body(&slots[index])
        return .live
    }

    /// Moves the head forward without writing (time known to have passed), so that
    /// older slots leave the span. A unit at or behind the head changes nothing.
    public mutating func advance(toUnit unit: Int64) {
        if headUnit == nil || unit > headUnit! { headUnit = unit }
    }

    /// The bucket of `unit`: empty for a unit inside the span that had no events, nil
    /// for a unit outside it.
    public func bucket(atUnit unit: Int64) -> Bucket? {
        guard let head = headUnit, unit <= head, unit > head - Int64(capacity) else { return nil }
        let index = slotIndex(unit)
        return units[index] == unit ? slots[index] : Bucket()
    }

    /// Calls `body` for every unit of `from...through` clipped to the span, oldest
    /// first, with an empty bucket for units that had no events.
    public func forEach(fromUnit from: Int64, throughUnit through: Int64, _ body: (Int64, Bucket) -> Void) {
        guard let head = headUnit else { return }
        let low = max(from, head - Int64(capacity) + 1)
        let high = min(through, head)
        guard low <= high else { return }
        let empty = Bucket()
        var unit = low
        while unit <= high {
            let index = slotIndex(unit)
            body(unit, units[index] == unit ? slots[index] : empty)
            unit += 1
        }
    }

    /// The merge of the buckets of `from...through` clipped to the span.
    public func merged(fromUnit from: Int64, throughUnit through: Int64) -> Bucket {
        var total = Bucket()
        forEach(fromUnit: from, throughUnit: through) { _, bucket in
            if !bucket.isEmpty { total.merge(bucket) }
        }
        return total
    }

    /// The non-empty live slots, oldest first: the ring's canonical content, used for
    /// equality and encoding so that neither depends on where in the array a unit sits.
    public var liveEntries: [(unit: Int64, bucket: Bucket)] {
        guard let head = headUnit else { return [] }
        var entries: [(unit: Int64, bucket: Bucket)] = []
        forEach(fromUnit: head - Int64(capacity) + 1, throughUnit: head) { unit, bucket in
            if !bucket.isEmpty { entries.append((unit, bucket)) }
        }
        return entries
    }
}

extension TimeRing: Mergeable {
    /// Combines a ring computed over another shard: heads take the later one, buckets
    /// of the same unit merge, and units that fall outside the merged span are dropped
    /// (they are late with respect to the merged window).
    public mutating func merge(_ other: TimeRing<Bucket>) {
        precondition(slotWidthNs == other.slotWidthNs && capacity == other.capacity, "merging rings of different shapes")
        guard let otherHead = other.headUnit else { return }
        advance(toUnit: otherHead)
        for entry in other.liveEntries {
            update(unit: entry.unit) { $0.merge(entry.bucket) }
        }
    }
}

extension TimeRing: Equatable {
    public static func == (lhs: TimeRing<Bucket>, rhs: TimeRing<Bucket>) -> Bool {
        guard lhs.slotWidthNs == rhs.slotWidthNs, lhs.capacity == rhs.capacity, lhs.headUnit == rhs.headUnit else { return false }
        let l = lhs.liveEntries, r = rhs.liveEntries
        return l.count == r.count && zip(l, r).allSatisfy { $0.unit == $1.unit && $0.bucket == $1.bucket }
    }
}

extension TimeRing: Codable {
    private enum CodingKeys: String, CodingKey {
        case slotWidthNs, capacity, headUnit, packed
        /// The form before `packed` (a unit array and a bucket container each), still read.
        case units, buckets
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let width = try container.decode(Int64.self, forKey: .slotWidthNs)
        let capacity = try container.decode(Int.self, forKey: .capacity)
        guard width > 0, capacity > 0, capacity <= 1_000_000 else {
            throw DecodingError.dataCorruptedError(forKey: .capacity, in: container, debugDescription: "ring shape out of range: width \(width) ns, capacity \(capacity)")
        }
        self.init(slotWidthNs: width, capacity: capacity)
        let head = try container.decodeIfPresent(Int64.self, forKey: .headUnit)
        if let head { advance(toUnit: head) }
        func refuse(_ unit: Int64) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: .units, in: container, debugDescription: "unit \(unit) outside the ring's span or out of order")
        }
        if let packed = try container.decodeIfPresent([UInt64].self, forKey: .packed) {
            // Per live slot, oldest first: the unit, the bucket's word count, its words.
            var at = 0
            var previous = Int64.min
            while at < packed.count {
                guard packed.count - at >= 2 else {
                    throw DecodingError.dataCorruptedError(forKey: .packed, in: container, debugDescription: "the last slot has a unit and no word count")
                }
                let unit = Int64(bitPattern: packed[at])
                let wordCount = packed[at + 1]
                guard let head, unit <= head, unit > head - Int64(capacity), unit > previous else { throw refuse(unit) }
                guard wordCount <= UInt64(packed.count - at - 2) else {
                    throw DecodingError.dataCorruptedError(forKey: .packed, in: container, debugDescription: "slot of unit \(unit) claims \(wordCount) words past the end")
                }
                let end = at + 2 + Int(wordCount)
                let bucket: Bucket
                do { bucket = try Bucket(packedWords: packed[(at + 2)..<end]) } catch {
                    throw DecodingError.dataCorruptedError(forKey: .packed, in: container, debugDescription: "slot of unit \(unit): \(error)")
                }
                let index = slotIndex(unit)
                units[index] = unit
                slots[index] = bucket
                previous = unit
                at = end
            }
            return
        }
        let units = try container.decode([Int64].self, forKey: .units)
        let buckets = try container.decode([Bucket].self, forKey: .buckets)
        guard units.count == buckets.count else {
            throw DecodingError.dataCorruptedError(forKey: .buckets, in: container, debugDescription: "\(units.count) units but \(buckets.count) buckets")
        }
        for (unit, bucket) in zip(units, buckets) {
            guard let head, unit <= head, unit > head - Int64(capacity) else { throw refuse(unit) }
            update(unit: unit) { $0 = bucket }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(slotWidthNs, forKey: .slotWidthNs)
        try container.encode(capacity, forKey: .capacity)
        try container.encodeIfPresent(headUnit, forKey: .headUnit)
        var packed: [UInt64] = []
        for (unit, bucket) in liveEntries {
            packed.append(UInt64(bitPattern: unit))
            let countAt = packed.count
            packed.append(0)
            bucket.appendPackedWords(to: &packed)
            packed[countAt] = UInt64(packed.count - countAt - 1)
        }
        try container.encode(packed, forKey: .packed)
    }
}
