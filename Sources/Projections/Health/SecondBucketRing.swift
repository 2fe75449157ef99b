/// Per-second sums of a few quantities ("lanes") over the last `capacitySeconds`
/// seconds of event time, in a ring of buckets.
///
/// The window ends at the newest second the ring has been advanced to. A bucket is
/// either empty or holds a second inside the window, so two rings fed the same
/// window of events are equal whatever happened before it. An event older than the
/// window is not added (`lateCount` says how many), so late data never corrupts
/// the live figures.
public struct SecondBucketRing: Codable, Sendable, Equatable {
    public static let capacitySecondsMax = 3600
    public static let lanesMax = 8
    static let emptySecond = Int64.min

    public let capacitySeconds: Int
    public let lanes: Int
    /// The second each bucket holds, or `emptySecond`.
    private var bucketSeconds: [Int64]
    /// `capacitySeconds × lanes` sums, bucket-major.
    private var sums: [Double]
    /// The newest second advanced to; nil before any.
    public private(set) var newestSecond: Int64?
    public private(set) var lateCount: UInt64 = 0

    public init(capacitySeconds: Int = 60, lanes: Int) {
        precondition(capacitySeconds > 0 && capacitySeconds <= Self.capacitySecondsMax, "ring capacity out of range")
        precondition(lanes > 0 && lanes <= Self.lanesMax, "ring lane count out of range")
        self.capacitySeconds = capacitySeconds
        self.lanes = lanes
        self.bucketSeconds = Array(repeating: Self.emptySecond, count: capacitySeconds)
        self.sums = Array(repeating: 0, count: capacitySeconds * lanes)
    }

    private enum CodingKeys: String, CodingKey {
        case capacitySeconds, lanes, bucketSeconds, sums, newestSecond, lateCount
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        capacitySeconds = try container.decode(Int.self, forKey: .capacitySeconds)
        lanes = try container.decode(Int.self, forKey: .lanes)
        bucketSeconds = try container.decode([Int64].self, forKey: .bucketSeconds)
        sums = try container.decode([Double].self, forKey: .sums)
        newestSecond = try container.decodeIfPresent(Int64.self, forKey: .newestSecond)
        lateCount = try container.decode(UInt64.self, forKey: .lateCount)
        guard capacitySeconds > 0, capacitySeconds <= Self.capacitySecondsMax, lanes > 0, lanes <= Self.lanesMax,
              bucketSeconds.count == capacitySeconds, sums.count == capacitySeconds * lanes
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .sums, in: container,
                debugDescription: "second ring of \(capacitySeconds) s × \(lanes) lanes has \(bucketSeconds.count) buckets and \(sums.count) sums")
        }
    }

    /// Floor division, so times before the epoch fall in the right second.
    public static func second(ofNs timeNs: Int64) -> Int64 {
        let (q, r) = timeNs.quotientAndRemainder(dividingBy: 1_000_000_000)
        return r < 0 ? q - 1 : q
    }

    private func slot(_ second: Int64) -> Int {
        let m = second % Int64(capacitySeconds)
        return Int(m < 0 ? m + Int64(capacitySeconds) : m)
    }

    private mutating func clear(slot index: Int) {
        bucketSeconds[index] = Self.emptySecond
        for lane in 0..<lanes { sums[index * lanes + lane] = 0 }
    }

    /// Moves the window's end to `second` if it is newer, emptying buckets that fall out.
    public mutating func advance(toSecond second: Int64) {
        guard let newest = newestSecond else {
            newestSecond = second
            return
        }
        guard second > newest else { return }
        if second - newest >= Int64(capacitySeconds) {
            for index in 0..<capacitySeconds { clear(slot: index) }
        } else {
            var s = newest + 1
            while s <= second {
                clear(slot: slot(s))
                s += 1
            }
        }
        newestSecond = second
    }

    /// Adds `values` (one per lane) at event time `timeNs`, advancing the window when newer.
    public mutating func add(atNs timeNs: Int64, _ values: [Double]) {
        precondition(values.count == lanes, "ring has \(lanes) lanes, given \(values.count) values")
        guard let index = slotForAdding(atNs: timeNs) else { return }
        for lane in 0..<lanes { sums[index * lanes + lane] += values[lane] }
    }

    /// `add(atNs:_:)` on a ring of two lanes, without an array per call: the health
    /// projection adds one per operation.
    public mutating func add(atNs timeNs: Int64, _ first: Double, _ second: Double) {
        precondition(lanes == 2, "ring has \(lanes) lanes, given 2 values")
        guard let index = slotForAdding(atNs: timeNs) else { return }
        sums[index * 2] += first
        sums[index * 2 + 1] += second
    }

    /// The slot of `timeNs`'s second, emptied if it held an older second, after moving
    /// the window's end; nil (counted late) for a second the window has left.
    private mutating func slotForAdding(atNs timeNs: Int64) -> Int? {
        let second = Self.second(ofNs: timeNs)
        advance(toSecond: second)
        guard let newest = newestSecond, second > newest - Int64(capacitySeconds) else {
            lateCount += 1
            return nil
        }
        let index = slot(second)
        if bucketSeconds[index] != second {
            clear(slot: index)
            bucketSeconds[index] = second
        }
        return index
    }

    /// The sum of `lane` over the `windowSeconds` seconds ending at `endSecond`
    /// (default: the newest second), counting only buckets the ring still holds.
    public func sum(lane: Int, windowSeconds: Int? = nil, endingAt endSecond: Int64? = nil) -> Double {
        precondition(lane >= 0 && lane < lanes, "lane out of range")
        guard let end = endSecond ?? newestSecond else { return 0 }
        let window = Int64(min(windowSeconds ?? capacitySeconds, capacitySeconds))
        var total = 0.0
        for index in 0..<capacitySeconds {
            let second = bucketSeconds[index]
            if second != Self.emptySecond, second <= end, second > end - window {
                total += sums[index * lanes + lane]
            }
        }
        return total
    }

    /// The seconds the window holds, oldest first, each with its lanes' sums.
    public func seconds() -> [(second: Int64, sums: ArraySlice<Double>)] {
        guard let newest = newestSecond else { return [] }
        return bucketSeconds.indices
            .filter { bucketSeconds[$0] != Self.emptySecond && bucketSeconds[$0] > newest - Int64(capacitySeconds) }
            .sorted { bucketSeconds[$0] < bucketSeconds[$1] }
            .map { (bucketSeconds[$0], sums[($0 * lanes)..<(($0 + 1) * lanes)]) }
    }

    /// Adds another ring's buckets (a disjoint shard of sources) into this one.
    public mutating func merge(_ other: SecondBucketRing) {
        precondition(other.capacitySeconds == capacitySeconds && other.lanes == lanes, "merging rings of different shapes")
        guard let otherNewest = other.newestSecond else { return }
        advance(toSecond: otherNewest)
        lateCount += other.lateCount
        guard let newest = newestSecond else { return }
        for index in 0..<capacitySeconds {
            let second = other.bucketSeconds[index]
            guard second != Self.emptySecond, second > newest - Int64(capacitySeconds) else { continue }
            if bucketSeconds[index] != second {
                clear(slot: index)
                bucketSeconds[index] = second
            }
            for lane in 0..<lanes { sums[index * lanes + lane] += other.sums[index * lanes + lane] }
        }
    }
}
