import Histogram

/// The latencies of one group of operations (all, one name, one protocol): an HDR
/// histogram since start and per-second sparse buckets for the last 60 s.
public struct LatencyStats: Codable, Sendable, Equatable, Mergeable {
    /// The window's complete seconds plus the one filling.
    public static let windowSlots = 61

    public private(set) var window = TimeRing<LatencySecond>(slotWidthNs: TimeUnits.nanosPerSecond, capacity: windowSlots)
    /// Microseconds, two significant digits (1 % resolution); resized as larger values
    /// arrive, so its footprint follows the largest latency seen, not a fixed maximum.
    public private(set) var sinceStart = Histogram<UInt64>(numberOfSignificantValueDigits: .two)
    public private(set) var totals = OpCounts()
    /// Operations older than the window: in `sinceStart` and `totals` only.
    public private(set) var lateEvents: UInt64 = 0
    /// Every latency recorded since start, summed (µs): the exact mean, where the
    /// histogram's would walk all its buckets per view (a tenth of a seek's time on a
    /// day-long recording). Nil in a state restored from a stored form written before
    /// it; the histogram's estimate serves then.
    public private(set) var sumMicros: UInt64? = 0

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case window, sinceStart, totals, lateEvents, sumMicros
    }

    /// Decodes a stored state, refusing a `sinceStart` histogram whose fields do not
    /// fit together: HdrHistogram's own decoding takes them as they are, and a counts
    /// array shorter than its bucket count says traps at the next record (a fuzz
    /// finding: a checkpoint written wrongly, or forged, would stop the server).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        window = try c.decode(TimeRing<LatencySecond>.self, forKey: .window)
        let shape = try c.decode(HistogramShape.self, forKey: .sinceStart)
        if let problem = shape.problem() {
            throw DecodingError.dataCorruptedError(forKey: .sinceStart, in: c, debugDescription: "latency histogram: \(problem)")
        }
        sinceStart = try c.decode(Histogram<UInt64>.self, forKey: .sinceStart)
        totals = try c.decode(OpCounts.self, forKey: .totals)
        lateEvents = try c.decode(UInt64.self, forKey: .lateEvents)
        sumMicros = try c.decodeIfPresent(UInt64.self, forKey: .sumMicros)
    }

    /// The mean latency since start, µs: exact, or the histogram's estimate for a
    /// state restored from a form without the sum.
    public var meanMicros: Double {
        let n = sinceStart.totalCount
        guard n > 0 else { return 0 }
        return sumMicros.map { Double($0) / Double(n) } ?? sinceStart.mean
    }

    @inline(__always)
    public mutating func record(timeNs: Int64, micros: UInt64, ok: Bool) {
        totals.record(ok: ok)
        sinceStart.record(micros)
        if let sum = sumMicros { sumMicros = sum &+ micros }
        if window.update(atTimeNs: timeNs, { $0.record(micros: micros, ok: ok) }) == .late { lateEvents &+= 1 }
    }

    public mutating func merge(_ other: LatencyStats) {
        window.merge(other.window)
        sinceStart.add(other.sinceStart)
        totals.merge(other.totals)
        lateEvents &+= other.lateEvents
        sumMicros = sumMicros.flatMap { mine in other.sumMicros.map { mine &+ $0 } }
    }

    /// The dense histogram and the error count of the seconds `fromSecond...throughSecond`.
    public func windowBuckets(fromSecond: Int64, throughSecond: Int64) -> (buckets: LatencyBuckets, errors: UInt64) {
        var buckets = LatencyBuckets()
        var errors: UInt64 = 0
        window.forEach(fromUnit: fromSecond, throughUnit: throughSecond) { _, second in
            guard !second.isEmpty else { return }
            buckets.add(second.latencies)
            errors &+= second.errors
        }
        return (buckets, errors)
    }
}

/// The stored fields of a `Histogram<UInt64>` as this build makes it (lowest
/// discernible value 1, two significant digits, auto-resizing), checked against
/// HdrHistogram's own layout rules before the histogram itself is decoded.
struct HistogramShape: Decodable {
    let lowestDiscernibleValue: UInt64
    let highestTrackableValue: UInt64
    let numberOfSignificantValueDigits: SignificantDigits
    let bucketCount: Int
    let subBucketMask: UInt64
    let subBucketHalfCountMagnitude: UInt8
    let leadingZeroCountBase: UInt8
    let unitMagnitude: UInt8
    let counts: [UInt64]
    let _totalCount: UInt64

    /// Two significant digits need single-unit resolution to 200: 256 sub-buckets.
    static let subBucketCountMagnitude: UInt8 = 8

    /// What is wrong, or nil when the fields are those of a histogram this build made.
    func problem() -> String? {
        guard lowestDiscernibleValue == 1, numberOfSignificantValueDigits == .two else {
            return "not a histogram of this build (lowest \(lowestDiscernibleValue), \(numberOfSignificantValueDigits) digits)"
        }
        let magnitude = Self.subBucketCountMagnitude
        guard unitMagnitude == 0, subBucketHalfCountMagnitude == magnitude - 1, leadingZeroCountBase == 64 - magnitude,
              subBucketMask == (UInt64(1) << magnitude) - 1
        else { return "its bucket layout is not the one its precision gives" }
        guard highestTrackableValue >= 2, highestTrackableValue <= UInt64.max / 2 else { return "highest trackable value \(highestTrackableValue)" }
        // HdrHistogram's bucketsNeededToCoverValue and countsArrayLengthFor.
        var smallestUntrackable = UInt64(1) << magnitude
        var buckets = 1
        while smallestUntrackable <= highestTrackableValue {
            if smallestUntrackable > UInt64.max / 2 {
                buckets += 1
                break
            }
            smallestUntrackable <<= 1
            buckets += 1
        }
        guard bucketCount == buckets else { return "\(bucketCount) buckets where its range needs \(buckets)" }
        let length = (buckets + 1) * (1 << Int(magnitude - 1))
        guard counts.count == length else { return "\(counts.count) counts where its buckets hold \(length)" }
        var total: UInt64 = 0
        for count in counts {
            let (sum, overflow) = total.addingReportingOverflow(count)
            guard !overflow else { return "counts past 2^64" }
            total = sum
        }
        guard total == _totalCount else { return "counts sum to \(total), the total says \(_totalCount)" }
        return nil
    }
}
