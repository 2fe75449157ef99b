/// One second's latencies as `LatencyScale` bucket counts: sparse while the second hit
/// few buckets (packed as `index << 40 | count`, sorted by bucket, in one array), so
/// an idle second costs nothing and a quiet one a handful of words; dense (a count per
/// bucket between the lowest and highest hit) once it hit more than
/// `sparseBucketsMax`, where finding a bucket among the sorted ones was the demo
/// fold's hottest function. Equality, iteration and the stored form see the counts,
/// never the form.
public struct SparseLatencyCounts: WindowBucket {
    private static let countBits: UInt64 = 40
    private static let countMask: UInt64 = (1 << countBits) - 1
    /// Buckets a second holds sparsely; one more makes it dense. At 48 sorted entries
    /// a lookup is six probes; a busy minute of varied latencies holds hundreds.
    static let sparseBucketsMax = 48

    /// The sparse form's entries, sorted by bucket index; empty in the dense form.
    private var packed: [UInt64] = []
    /// The dense form: the count of bucket `denseBase + i` at `i`; empty in the sparse form.
    private var dense: [UInt64] = []
    private var denseBase = 0

    public init() {}

    public var isEmpty: Bool { packed.isEmpty && dense.isEmpty }

    public var totalCount: UInt64 {
        dense.isEmpty ? packed.reduce(0) { $0 &+ ($1 & Self.countMask) } : dense.reduce(0, &+)
    }

    /// The counts as the sparse form packs them, whatever the form: what is stored.
    public var packedEntries: [UInt64] {
        guard !dense.isEmpty else { return packed }
        var entries: [UInt64] = []
        forEach { entries.append(UInt64($0) << Self.countBits | $1) }
        return entries
    }

    @inline(__always)
    public mutating func record(micros: UInt64) {
        add(index: LatencyScale.index(ofMicros: micros), count: 1)
    }

    public mutating func add(index: Int, count: UInt64) {
        precondition(count <= Self.countMask, "count beyond 2^40 in one second")
        precondition(index >= 0 && index < LatencyScale.bucketCount, "latency bucket \(index) out of range")
        if !dense.isEmpty {
            addDense(index: index, count: count)
            return
        }
        let key = UInt64(index) << Self.countBits
        var low = 0, high = packed.count
        while low < high {
            let middle = (low + high) >> 1
            if packed[middle] & ~Self.countMask < key { low = middle + 1 } else { high = middle }
        }
        if low < packed.count, packed[low] & ~Self.countMask == key {
            // A second with 2^40 operations in one bucket is beyond any real load.
            packed[low] = key | min((packed[low] & Self.countMask) &+ count, Self.countMask)
            return
        }
        packed.insert(key | count, at: low)
        if packed.count > Self.sparseBucketsMax { becomeDense() }
    }

    private mutating func addDense(index: Int, count: UInt64) {
        let offset = index - denseBase
        if offset >= 0 && offset < dense.count {
            dense[offset] = min(dense[offset] &+ count, Self.countMask)
            return
        }
        // Widen to the new bucket: at most `LatencyScale.bucketCount` counts in all.
        let low = min(denseBase, index), high = max(denseBase + dense.count - 1, index)
        var widened = [UInt64](repeating: 0, count: high - low + 1)
        widened.replaceSubrange((denseBase - low)..<(denseBase - low + dense.count), with: dense)
        widened[index - low] = count
        dense = widened
        denseBase = low
    }

    private mutating func becomeDense() {
        let low = Int(packed[0] >> Self.countBits), high = Int(packed[packed.count - 1] >> Self.countBits)
        var counts = [UInt64](repeating: 0, count: high - low + 1)
        for entry in packed { counts[Int(entry >> Self.countBits) - low] = entry & Self.countMask }
        dense = counts
        denseBase = low
        packed = []
    }

    /// Every bucket hit, in bucket order.
    public func forEach(_ body: (_ index: Int, _ count: UInt64) -> Void) {
        if dense.isEmpty {
            for entry in packed { body(Int(entry >> Self.countBits), entry & Self.countMask) }
        } else {
            for (offset, count) in dense.enumerated() where count > 0 { body(denseBase + offset, count) }
        }
    }

    public mutating func merge(_ other: SparseLatencyCounts) {
        other.forEach { add(index: $0, count: $1) }
    }

    public static func == (lhs: SparseLatencyCounts, rhs: SparseLatencyCounts) -> Bool {
        lhs.dense.isEmpty && rhs.dense.isEmpty ? lhs.packed == rhs.packed : lhs.packedEntries == rhs.packedEntries
    }
}

extension SparseLatencyCounts {
    public func appendPackedWords(to words: inout [UInt64]) {
        words.append(contentsOf: packedEntries)
    }

    public init(packedWords words: ArraySlice<UInt64>) throws(PackedBucketError) {
        guard !words.isEmpty, let counts = try? Self(validating: Array(words), codingPath: []) else {
            throw PackedBucketError(Self.self, "want sorted, non-zero latency buckets")
        }
        self = counts
    }
}

extension SparseLatencyCounts: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(validating: try decoder.singleValueContainer().decode([UInt64].self), codingPath: decoder.codingPath)
    }

    init(validating packed: [UInt64], codingPath: [any CodingKey]) throws {
        guard zip(packed, packed.dropFirst()).allSatisfy({ ($0 >> Self.countBits) < ($1 >> Self.countBits) }),
              packed.allSatisfy({ Int($0 >> Self.countBits) < LatencyScale.bucketCount && $0 & Self.countMask > 0 })
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "latency buckets must be sorted, in range and non-zero"))
        }
        self.packed = packed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(packedEntries)
    }
}
