/// One second's latencies as sparse `LatencyScale` bucket counts: the few buckets a
/// second actually hit, sorted by bucket, packed as `index << 40 | count` in one
/// array, so an idle second costs nothing and a busy one a handful of words.
public struct SparseLatencyCounts: WindowBucket {
    private static let countBits: UInt64 = 40
    private static let countMask: UInt64 = (1 << countBits) - 1

    /// Packed entries, sorted by bucket index.
    public private(set) var packed: [UInt64] = []

    public init() {}

    public var isEmpty: Bool { packed.isEmpty }

    public var totalCount: UInt64 { packed.reduce(0) { $0 &+ ($1 & Self.countMask) } }

    @inline(__always)
    public mutating func record(micros: UInt64) {
        add(index: LatencyScale.index(ofMicros: micros), count: 1)
    }

    public mutating func add(index: Int, count: UInt64) {
        precondition(count <= Self.countMask, "count beyond 2^40 in one second")
        let key = UInt64(index) << Self.countBits
        // Binary search: a busy second of many operations holds dozens of buckets, and
        // walking them was the demo fold's hottest function.
        var low = 0, high = packed.count
        while low < high {
            let middle = (low + high) >> 1
            if packed[middle] & ~Self.countMask < key { low = middle + 1 } else { high = middle }
        }
        if low < packed.count, packed[low] & ~Self.countMask == key {
            // A second with 2^40 operations in one bucket is beyond any real load.
            packed[low] = key | min((packed[low] & Self.countMask) &+ count, Self.countMask)
        } else {
            packed.insert(key | count, at: low)
        }
    }

    public func forEach(_ body: (_ index: Int, _ count: UInt64) -> Void) {
        for entry in packed { body(Int(entry >> Self.countBits), entry & Self.countMask) }
    }

    public mutating func merge(_ other: SparseLatencyCounts) {
        other.forEach { add(index: $0, count: $1) }
    }
}

extension SparseLatencyCounts {
    public func appendPackedWords(to words: inout [UInt64]) {
        words.append(contentsOf: packed)
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
        try container.encode(packed)
    }
}
