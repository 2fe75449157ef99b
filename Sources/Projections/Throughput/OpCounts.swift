/// Operations and failed operations in one time slot.
public struct OpCounts: WindowBucket, Hashable {
    public var count: UInt64
    public var errors: UInt64

    public init() {
        count = 0
        errors = 0
    }

    public init(count: UInt64, errors: UInt64) {
        precondition(errors <= count, "more errors than operations")
        self.count = count
        self.errors = errors
    }

    public var isEmpty: Bool { count == 0 }

    @inline(__always)
    public mutating func record(ok: Bool) {
        count &+= 1
        if !ok { errors &+= 1 }
    }

    public mutating func merge(_ other: OpCounts) {
        count &+= other.count
        errors &+= other.errors
    }

    /// Failed share in percent, 0 for an empty slot.
    public var errorPercent: Double { count == 0 ? 0 : Double(errors) / Double(count) * 100 }
}

extension OpCounts {
    public func appendPackedWords(to words: inout [UInt64]) {
        words.append(count)
        words.append(errors)
    }

    public init(packedWords words: ArraySlice<UInt64>) throws(PackedBucketError) {
        guard words.count == 2, let count = words.first, let errors = words.last, errors <= count else {
            throw PackedBucketError(Self.self, "\(words.count) words; want count then errors, errors at most count")
        }
        self.init(count: count, errors: errors)
    }
}

extension OpCounts: Codable {
    // `[count, errors]`: a checkpoint holds thousands of these.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        let count = try container.decode(UInt64.self)
        let errors = try container.decode(UInt64.self)
        guard errors <= count else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "errors \(errors) exceed count \(count)")
        }
        self.init(count: count, errors: errors)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(count)
        try container.encode(errors)
    }
}
