/// The sample times of one periodic source (a connection's reports, the host's
/// vitals) reduced to what missed collection slots need: a gap longer than 1.5×
/// the expected interval means the slots in between had no sample.
public struct CollectionSlots: Codable, Sendable, Equatable {
    public private(set) var sampleCount: UInt64 = 0
    public private(set) var firstSampleNs: Int64?
    public private(set) var lastSampleNs: Int64?
    /// Expected intervals with no sample.
    public private(set) var missedSlots: UInt64 = 0
    /// Gaps that missed at least one slot.
    public private(set) var gapCount: UInt64 = 0
    public private(set) var longestGapNs: Int64 = 0
    /// Samples older than the newest one; counted, but they neither open nor close a gap.
    public private(set) var lateSampleCount: UInt64 = 0

    public init() {}

    /// Missed slots in a gap: the whole expected intervals it spans, less the one
    /// the next sample fills. A gap of 3 s at 1 s intervals missed 2 slots.
    public static func missedSlots(inGapNs gapNs: Int64, expectedIntervalNs: Int64) -> UInt64 {
        precondition(expectedIntervalNs > 0, "expected interval must be positive")
        guard gapNs * 2 > expectedIntervalNs * 3 else { return 0 }
        let intervals = (gapNs + expectedIntervalNs / 2) / expectedIntervalNs
        return UInt64(max(1, intervals - 1))
    }

    mutating func record(atNs timeNs: Int64, expectedIntervalNs: Int64) {
        sampleCount += 1
        firstSampleNs = min(firstSampleNs ?? timeNs, timeNs)
        guard let last = lastSampleNs else {
            lastSampleNs = timeNs
            return
        }
        guard timeNs >= last else {
            lateSampleCount += 1
            return
        }
        let gapNs = timeNs - last
        let missed = Self.missedSlots(inGapNs: gapNs, expectedIntervalNs: expectedIntervalNs)
        if missed > 0 {
            missedSlots += missed
            gapCount += 1
        }
        longestGapNs = max(longestGapNs, gapNs)
        lastSampleNs = timeNs
    }

    /// Shards see disjoint samples of a source; their gaps are added as each saw them.
    mutating func merge(_ other: CollectionSlots) {
        sampleCount += other.sampleCount
        missedSlots += other.missedSlots
        gapCount += other.gapCount
        lateSampleCount += other.lateSampleCount
        longestGapNs = max(longestGapNs, other.longestGapNs)
        firstSampleNs = [firstSampleNs, other.firstSampleNs].compactMap { $0 }.min()
        lastSampleNs = [lastSampleNs, other.lastSampleNs].compactMap { $0 }.max()
    }
}
