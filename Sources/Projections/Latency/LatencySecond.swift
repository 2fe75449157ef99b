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

extension LatencySecond: Codable {
    private enum CodingKeys: String, CodingKey {
        case buckets = "b"
        case errors = "e"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        latencies = try container.decode(SparseLatencyCounts.self, forKey: .buckets)
        errors = try container.decode(UInt64.self, forKey: .errors)
        guard errors <= latencies.totalCount else {
            throw DecodingError.dataCorruptedError(forKey: .errors, in: container, debugDescription: "errors \(errors) exceed the second's \(latencies.totalCount) operations")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(latencies, forKey: .buckets)
        try container.encode(errors, forKey: .errors)
    }
}
