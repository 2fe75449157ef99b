import Foundation

/// One second of a latency window: its operations' latency buckets and how many of
/// them failed.
public struct LatencySecond: WindowBucket {
    public private(set) var latencies = SparseLatencyCounts()
    public private(set) var errors: UInt64 = 0

    public init() {}

    public var isEmpty: Bool { latencies.isEmpty }

    @inline(__always)
    public mutating func record(micros: UInt64, ok: Bool) {
        latencies.record(micros: micros)
        if !ok { errors &+= 1 }
    }

    public mutating func merge(_ other: LatencySecond) {
        latencies.merge(other.latencies)
        errors &+= other.errors
    }
}

extension LatencySecond {
    public func appendPackedWords(to words: inout [UInt64]) {
        words.append(errors)
        words.append(contentsOf: latencies.packedEntries)
    }

    public init(packedWords words: ArraySlice<UInt64>) throws(PackedBucketError) {
        guard let errors = words.first else { throw PackedBucketError(Self.self, "no words; want errors, then latency buckets") }
        let latencies = try SparseLatencyCounts(packedWords: words.dropFirst())
        guard errors <= latencies.totalCount else {
            throw PackedBucketError(Self.self, "\(errors) errors in a second of \(latencies.totalCount) operations")
        }
        self.errors = errors
        self.latencies = latencies
    }
}

extension LatencySecond: Codable {
    /// The keyed shape of checkpoints before the packed one (still read).
    private enum LegacyKeys: String, CodingKey {
        case buckets = "b"
        case errors = "e"
    }

    /// One run of little-endian words, `errors` then the packed buckets, as `Data` (a
    /// base64 string in JSON, raw bytes in the binary form): a checkpoint holds
    /// thousands of seconds, and decoding them as keyed objects of number arrays was
    /// half the cost of a time-travel query.
    public init(from decoder: any Decoder) throws {
        if let bytes = try? decoder.singleValueContainer().decode(Data.self) {
            guard bytes.count >= 8, bytes.count % 8 == 0 else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a latency second is whole little-endian words"))
            }
            var words = [UInt64](repeating: 0, count: bytes.count / 8)
            _ = words.withUnsafeMutableBytes { bytes.copyBytes(to: $0) }
            words = words.map { UInt64(littleEndian: $0) }
            errors = words[0]
            latencies = try SparseLatencyCounts(validating: Array(words.dropFirst()), codingPath: decoder.codingPath)
        } else {
            let container = try decoder.container(keyedBy: LegacyKeys.self)
            latencies = try container.decode(SparseLatencyCounts.self, forKey: .buckets)
            errors = try container.decode(UInt64.self, forKey: .errors)
        }
        guard errors <= latencies.totalCount else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "errors \(errors) exceed the second's \(latencies.totalCount) operations"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        let words = ([errors] + latencies.packedEntries).map(\.littleEndian)
        var container = encoder.singleValueContainer()
        try container.encode(words.withUnsafeBytes { Data($0) })
    }
}
