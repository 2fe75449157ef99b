import EventStore

/// One cache's counters and latest report.
///
/// Reports carry cumulative counters; the record adds up their increases. A counter
/// that went down was reset (the producer restarted), so its new value is the increase.
public struct CacheRecord: Codable, Sendable, Equatable {
    static let hitsLane = 0
    static let missesLane = 1

    /// Increases summed over the run.
    public private(set) var hits: UInt64 = 0
    public private(set) var misses: UInt64 = 0
    public private(set) var evictions: UInt64 = 0
    public private(set) var resetCount: UInt64 = 0
    /// Reports older than the latest one; ignored, since their counters cannot be placed.
    public private(set) var lateReportCount: UInt64 = 0
    public private(set) var reportCount: UInt64 = 0
    /// The latest raw counters, to take the next increase from.
    public private(set) var lastRawHits: UInt64 = 0
    public private(set) var lastRawMisses: UInt64 = 0
    public private(set) var lastRawEvictions: UInt64 = 0
    public private(set) var sizeBytes: UInt64 = 0
    public private(set) var entries: UInt64 = 0
    public private(set) var compressionRatio: Double = 0
    public private(set) var avgTTLms: Double = 0
    public private(set) var lastReportNs: Int64?
    /// Hit and miss increases per second over the last minute.
    public private(set) var recent = SecondBucketRing(capacitySeconds: CacheStatsProjection.windowSeconds, lanes: 2)

    public init() {}

    /// The increase of a cumulative counter from `previous` to `current`.
    public static func increase(from previous: UInt64, to current: UInt64) -> (delta: UInt64, reset: Bool) {
        current >= previous ? (current - previous, false) : (current, true)
    }

    mutating func record(_ report: CacheReport, atNs timeNs: Int64) {
        reportCount += 1
        if let last = lastReportNs, timeNs < last {
            lateReportCount += 1
            return
        }
        let hitStep = Self.increase(from: lastRawHits, to: report.hits)
        let missStep = Self.increase(from: lastRawMisses, to: report.misses)
        let evictionStep = Self.increase(from: lastRawEvictions, to: report.evictions)
        if hitStep.reset || missStep.reset || evictionStep.reset { resetCount += 1 }
        hits += hitStep.delta
        misses += missStep.delta
        evictions += evictionStep.delta
        recent.add(atNs: timeNs, [Double(hitStep.delta), Double(missStep.delta)])
        lastRawHits = report.hits
        lastRawMisses = report.misses
        lastRawEvictions = report.evictions
        sizeBytes = report.sizeBytes
        entries = report.entries
        compressionRatio = report.compressionRatio
        avgTTLms = report.avgTTLms
        lastReportNs = timeNs
    }

    /// The same cache seen by two shards: increases add, the later report gives the gauges.
    mutating func merge(_ other: CacheRecord) {
        let otherIsLater = other.lastReportNs.map { theirs in lastReportNs.map { theirs > $0 } ?? true } ?? false
        if otherIsLater {
            lastRawHits = other.lastRawHits
            lastRawMisses = other.lastRawMisses
            lastRawEvictions = other.lastRawEvictions
            sizeBytes = other.sizeBytes
            entries = other.entries
            compressionRatio = other.compressionRatio
            avgTTLms = other.avgTTLms
            lastReportNs = other.lastReportNs
        }
        hits += other.hits
        misses += other.misses
        evictions += other.evictions
        resetCount += other.resetCount
        lateReportCount += other.lateReportCount
        reportCount += other.reportCount
        recent.merge(other.recent)
    }

    func recentHits(endingAt second: Int64?) -> Double { recent.sum(lane: Self.hitsLane, endingAt: second) }
    func recentMisses(endingAt second: Int64?) -> Double { recent.sum(lane: Self.missesLane, endingAt: second) }
}
