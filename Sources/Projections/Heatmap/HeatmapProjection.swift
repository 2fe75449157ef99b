import EventStore

/// The tiers the heatmap keeps, finest first: each covers the history ranges whose
/// columns are a whole number of its slots.
public enum HeatmapTier: Int, Sendable, CaseIterable {
    /// 10 s slots for 1 h: the 15 m and 1 h ranges.
    case tenSeconds
    /// 1 min slots for 24 h: the 6 h and 24 h ranges.
    case minute
    /// 1 h slots for 7 d: the 7 d range.
    case hour

    public var widthNs: Int64 {
        switch self {
        case .tenSeconds: 10 * TimeUnits.nanosPerSecond
        case .minute: TimeUnits.nanosPerMinute
        case .hour: TimeUnits.nanosPerHour
        }
    }

    public var capacity: Int {
        switch self {
        case .tenSeconds: 360
        case .minute: 24 * 60
        case .hour: 7 * 24
        }
    }
}

/// One row of the throughput and error heatmaps (an operation name or a protocol):
/// operations and failures per slot, in every tier.
public struct HeatmapRow: Codable, Sendable, Equatable, Mergeable {
    /// Stored form, finest first: the coarse tiers lack the projection's open slot, so
    /// readers go through `HeatmapProjection.ring(of:_:)`.
    private(set) var tiers: [TimeRing<OpCounts>]

    public init() {
        tiers = HeatmapTier.allCases.map { TimeRing(slotWidthNs: $0.widthNs, capacity: $0.capacity) }
    }

    /// An operation older than the open slot: every tier.
    mutating func record(timeNs: Int64, ok: Bool) {
        for index in tiers.indices { tiers[index].update(atTimeNs: timeNs) { $0.record(ok: ok) } }
    }

    /// An operation in the open slot: the finest tier only (`OpenSlot`).
    @inline(__always)
    mutating func recordOpen(unit: Int64, ok: Bool) {
        tiers[0].update(unit: unit) { $0.record(ok: ok) }
    }

    mutating func close(slot unit: Int64) { tiers.close(slot: unit) }

    /// The tier with the projection's open slot in it (stored coarse tiers lack it).
    func ring(_ tier: HeatmapTier, including openSlot: OpenSlot) -> TimeRing<OpCounts> {
        tiers.ring(tier.rawValue, including: openSlot)
    }

    public mutating func merge(_ other: HeatmapRow) {
        for index in tiers.indices { tiers[index].merge(other.tiers[index]) }
    }

    public init(from decoder: any Decoder) throws {
        let tiers = try decoder.singleValueContainer().decode([TimeRing<OpCounts>].self)
        guard HeatmapProjection.shapesMatch(tiers) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a heatmap row holds one ring per tier with the tier's width and capacity"))
        }
        self.tiers = tiers
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(tiers)
    }
}

/// What the performance heatmap reads: `op` events over event time in three tiers
/// (10 s for 1 h, 1 min for 24 h, 1 h for 7 d), as latency histograms of all
/// operations (the `LatencyScale` HDR buckets, sparse per slot) and as operation and
/// failure counts per operation name and per protocol.
///
/// Memory is bounded: at most `rowNamesMax` names per dimension (more share "other"),
/// each row `Σ capacity × 24 B` ≈ 47 KiB, and the latency tiers hold only the buckets
/// operations hit.
public struct HeatmapProjection: Projection, Mergeable {
    /// Operation names and protocols kept as rows each; more share the row "other".
    public static let rowNamesMax = 16

    /// Stored form: the coarse tiers lack the open slot; read through `latencyRing(_:)`.
    private var latency: [TimeRing<LatencyBandCounts>]
    public private(set) var operations = BoundedKeyTable<HeatmapRow>(maxKeys: rowNamesMax)
    public private(set) var protocols = BoundedKeyTable<HeatmapRow>(maxKeys: rowNamesMax)
    /// Operations older than even the hour tier: counted, not drawn.
    public private(set) var tooOldCount: UInt64 = 0
    /// The finest tier's newest slot, not yet in the coarser tiers; never encoded.
    private var openSlot = OpenSlot()

    public init() {
        latency = HeatmapTier.allCases.map { TimeRing(slotWidthNs: $0.widthNs, capacity: $0.capacity) }
    }

    public mutating func apply(_ event: Event, offset: UInt64) {
        guard case .op(let op) = event.body else { return }
        apply(op, timeNs: event.timeNs)
    }

    /// `apply` of an operation event (`ProjectionSet` matches the type once for all).
    mutating func apply(_ op: Operation, timeNs time: Int64) {
        let micros = LatencyScale.micros(fromMs: op.durationMs)
        let band = Int(Self.bandOfScaleIndex[LatencyScale.index(ofMicros: micros)])
        let unit = latency[0].unit(of: time)
        switch openSlot.step(unit, fineHead: latency[0].headUnit) {
        case .opens(let closing):
            if let closing { close(slot: closing) }
            // The coarse heads move as they would have with this operation in them, so
            // a late operation is refused by the same tiers either way.
            for tier in latency.indices.dropFirst() { latency[tier].advance(toUnit: latency[tier].unit(of: time)) }
            fallthrough
        case .open:
            latency[0].update(unit: unit) { $0.record(band: band, micros: micros) }
            operations.update(op.name, make: HeatmapRow.init) { $0.recordOpen(unit: unit, ok: op.ok) }
            protocols.update(op.protocol ?? LatencyProjection.unknownProtocol, make: HeatmapRow.init) { $0.recordOpen(unit: unit, ok: op.ok) }
            return
        case .late:
            break
        }
        var placedAnywhere = false
        for index in latency.indices {
            let placement = latency[index].update(atTimeNs: time) { $0.record(band: band, micros: micros) }
            if placement == .live { placedAnywhere = true }
        }
        if !placedAnywhere {
            tooOldCount &+= 1
            return
        }
        operations.update(op.name, make: HeatmapRow.init) { $0.record(timeNs: time, ok: op.ok) }
        protocols.update(op.protocol ?? LatencyProjection.unknownProtocol, make: HeatmapRow.init) { $0.record(timeNs: time, ok: op.ok) }
    }

    /// The latency tier with every operation in it, the open slot's included.
    public func latencyRing(_ tier: HeatmapTier) -> TimeRing<LatencyBandCounts> {
        latency.ring(tier.rawValue, including: openSlot)
    }

    /// A row's tier with every operation in it, the open slot's included.
    public func ring(of row: HeatmapRow, _ tier: HeatmapTier) -> TimeRing<OpCounts> {
        row.ring(tier, including: openSlot)
    }

    /// Adds a closed slot's operations to the coarse tiers, everywhere.
    private mutating func close(slot unit: Int64) {
        latency.close(slot: unit)
        operations.updateAll { $0.close(slot: unit) }
        protocols.updateAll { $0.close(slot: unit) }
    }

    /// This state with no open slot: what is stored, merged and compared.
    private var closed: HeatmapProjection {
        var copy = self
        if let unit = copy.openSlot.close() { copy.close(slot: unit) }
        return copy
    }

    public mutating func merge(_ other: HeatmapProjection) {
        self = closed
        let other = other.closed
        for index in latency.indices { latency[index].merge(other.latency[index]) }
        operations.merge(other.operations, make: HeatmapRow.init)
        protocols.merge(other.protocols, make: HeatmapRow.init)
        tooOldCount &+= other.tooOldCount
    }

    static func shapesMatch<B>(_ rings: [TimeRing<B>]) -> Bool {
        rings.count == HeatmapTier.allCases.count
            && zip(rings, HeatmapTier.allCases).allSatisfy { $0.slotWidthNs == $1.widthNs && $0.capacity == $1.capacity }
    }
}

extension HeatmapProjection {
    /// Equal when they hold the same operations, open slot or not.
    public static func == (lhs: HeatmapProjection, rhs: HeatmapProjection) -> Bool {
        let l = lhs.closed, r = rhs.closed
        return l.latency == r.latency && l.operations == r.operations && l.protocols == r.protocols && l.tooOldCount == r.tooOldCount
    }

    private enum CodingKeys: String, CodingKey {
        case latency, operations, protocols, tooOldCount
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let latency = try container.decode([TimeRing<LatencyBandCounts>].self, forKey: .latency)
        guard Self.shapesMatch(latency) else {
            throw DecodingError.dataCorruptedError(forKey: .latency, in: container, debugDescription: "one latency ring per heatmap tier, with the tier's width and capacity")
        }
        self.latency = latency
        operations = try container.decode(BoundedKeyTable<HeatmapRow>.self, forKey: .operations)
        protocols = try container.decode(BoundedKeyTable<HeatmapRow>.self, forKey: .protocols)
        tooOldCount = try container.decode(UInt64.self, forKey: .tooOldCount)
    }

    public func encode(to encoder: any Encoder) throws {
        let closed = closed
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(closed.latency, forKey: .latency)
        try container.encode(closed.operations, forKey: .operations)
        try container.encode(closed.protocols, forKey: .protocols)
        try container.encode(closed.tooOldCount, forKey: .tooOldCount)
    }
}

/// One slot of the latency heatmap: operations per latency band and the sum of their
/// durations (so a cell tells how many, and their mean). Empty slots hold no arrays.
public struct LatencyBandCounts: WindowBucket {
    public private(set) var counts: [UInt64] = []
    public private(set) var sumMicros: [UInt64] = []

    public init() {}

    public var isEmpty: Bool { counts.isEmpty }

    public var totalCount: UInt64 { counts.reduce(0, &+) }

    @inline(__always)
    mutating func record(band: Int, micros: UInt64) {
        if counts.isEmpty {
            counts = Array(repeating: 0, count: HeatmapProjection.latencyBandCount)
            sumMicros = counts
        }
        counts[band] &+= 1
        sumMicros[band] &+= micros
    }

    public mutating func merge(_ other: LatencyBandCounts) {
        guard !other.isEmpty else { return }
        guard !isEmpty else {
            self = other
            return
        }
        for band in counts.indices {
            counts[band] &+= other.counts[band]
            sumMicros[band] &+= other.sumMicros[band]
        }
    }
}

extension LatencyBandCounts {
    public func appendPackedWords(to words: inout [UInt64]) {
        words.append(contentsOf: counts)
        words.append(contentsOf: sumMicros)
    }

    public init(packedWords words: ArraySlice<UInt64>) throws(PackedBucketError) {
        let bands = HeatmapProjection.latencyBandCount
        guard words.count == 2 * bands else {
            throw PackedBucketError(Self.self, "\(words.count) words; want a count and a sum for each of \(bands) bands")
        }
        counts = Array(words.prefix(bands))
        sumMicros = Array(words.suffix(bands))
    }
}

extension LatencyBandCounts: Codable {
    // `[count per band..., summed µs per band...]`, or `[]` for an empty slot.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.singleValueContainer().decode([UInt64].self)
        guard values.isEmpty || values.count == 2 * HeatmapProjection.latencyBandCount else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a latency band slot holds a count and a sum per band"))
        }
        let half = values.count / 2
        counts = Array(values[..<half])
        sumMicros = Array(values[half...])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(counts + sumMicros)
    }
}

extension Array {
    /// Tiers finest first: adds the finest ring's closed slot `unit` to the others.
    mutating func close<Bucket>(slot unit: Int64) where Element == TimeRing<Bucket> {
        let finest = self[0]
        for tier in indices.dropFirst() { self[tier].add(closedSlot: unit, of: finest) }
    }

    /// Tier `tier` (finest first) with the finest ring's open slot in it.
    func ring<Bucket>(_ tier: Int, including openSlot: OpenSlot) -> TimeRing<Bucket> where Element == TimeRing<Bucket> {
        tier == 0 ? self[0] : self[tier].including(openSlot, of: self[0])
    }
}
