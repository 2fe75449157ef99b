/// The contents of one time slot of a `TimeRing`: a count, a histogram, a sample.
///
/// Buckets merge so that rings computed over disjoint shards combine, and so that a
/// window's buckets fold into one figure.
public protocol WindowBucket: Codable, Sendable, Equatable, Mergeable {
    /// The empty bucket: a slot that passed with no events holds this.
    init()
    var isEmpty: Bool { get }

    /// Appends this (non-empty) bucket as words, the form `TimeRing` stores: a ring's
    /// buckets are one run of words to decode rather than a container per bucket
    /// (the per-bucket containers were two thirds of decoding a stored state).
    func appendPackedWords(to words: inout [UInt64])
    /// The bucket `appendPackedWords` wrote; throws `PackedBucketError` for words no
    /// bucket writes, so damaged stored state is refused rather than believed.
    init(packedWords words: ArraySlice<UInt64>) throws(PackedBucketError)
}

/// Words that are not a packed bucket of `bucket`'s type.
public struct PackedBucketError: Error, CustomStringConvertible {
    public let bucket: String
    public let detail: String

    public init(_ bucket: Any.Type, _ detail: String) {
        self.bucket = String(describing: bucket)
        self.detail = detail
    }

    public var description: String { "packed \(bucket): \(detail)" }
}

/// Where an event landed in a ring.
public enum RingPlacement: Sendable, Equatable {
    /// Inside the ring's span: written into its slot.
    case live
    /// Older than the oldest slot the ring still holds: not written. Callers count it
    /// into totals and coarser history, never into the live window.
    case late
}

/// Floor division and time units shared by the windows.
public enum TimeUnits {
    public static let nanosPerSecond: Int64 = 1_000_000_000
    public static let nanosPerMinute: Int64 = 60 * nanosPerSecond
    public static let nanosPerHour: Int64 = 60 * nanosPerMinute

    /// The unit (second, minute, ...) holding `timeNs`, rounding toward negative
    /// infinity so that times before the epoch land in the right slot too.
    @inline(__always)
    public static func unit(of timeNs: Int64, widthNs: Int64) -> Int64 {
        let quotient = timeNs / widthNs
        return (timeNs % widthNs < 0) ? quotient - 1 : quotient
    }
}
