import EventStore

/// Operations per second from `op` events: now, over the last 60 s, per second and per
/// minute, with the trend against the previous 60 s.
public struct ThroughputProjection: Projection, Mergeable {
    /// Complete seconds in the live window.
    public static let windowSeconds = 60
    /// The live window, the one before it (for the trend), and the current second.
    public static let secondSlots = 2 * windowSeconds + 1
    /// Per-minute history: 24 h.
    public static let minuteSlots = 24 * 60

    public private(set) var seconds = TimeRing<OpCounts>(slotWidthNs: TimeUnits.nanosPerSecond, capacity: secondSlots)
    public private(set) var minutes = TimeRing<OpCounts>(slotWidthNs: TimeUnits.nanosPerMinute, capacity: minuteSlots)
    public private(set) var totals = OpCounts()
    /// Operations older than the per-second ring: counted in totals and minutes only.
    public private(set) var lateEvents: UInt64 = 0
    /// Older than the per-minute ring too: counted in totals only.
    public private(set) var tooOldForHistory: UInt64 = 0
    /// The earliest second any operation fell in, so averages divide by the seconds
    /// actually observed rather than by a full window at start-up.
    public private(set) var firstSecond: Int64?
    /// The busiest second seen since start (counts only grow, so the current second
    /// is included as it fills).
    public private(set) var peakSecondCount: UInt64 = 0
    public private(set) var peakSecond: Int64?

    public init() {}

    public mutating func apply(_ event: Event, offset: UInt64) {
        guard case .op(let op) = event.body else { return }
        record(timeNs: event.timeNs, ok: op.ok)
    }

    /// `apply` of an operation (`ProjectionSet` matches the type once for all).
    @inline(__always)
    mutating func record(timeNs: Int64, ok: Bool) {
        totals.record(ok: ok)
        let second = seconds.unit(of: timeNs)
        if firstSecond == nil || second < firstSecond! { firstSecond = second }
        var secondCount: UInt64 = 0
        if seconds.update(unit: second, { $0.record(ok: ok); secondCount = $0.count }) == .late {
            lateEvents &+= 1
        } else if secondCount > peakSecondCount || (secondCount == peakSecondCount && second < peakSecond!) {
            peakSecondCount = secondCount
            peakSecond = second
        }
        if minutes.update(atTimeNs: timeNs, { $0.record(ok: ok) }) == .late {
            tooOldForHistory &+= 1
        }
    }

    /// Shards add: per-second and per-minute counts of the same slot add. The peak
    /// since start becomes the larger of the two shards' peaks and of the merged live
    /// seconds, a lower bound of the true combined peak when shards peaked apart.
    public mutating func merge(_ other: ThroughputProjection) {
        seconds.merge(other.seconds)
        minutes.merge(other.minutes)
        totals.merge(other.totals)
        lateEvents &+= other.lateEvents
        tooOldForHistory &+= other.tooOldForHistory
        if let f = other.firstSecond, firstSecond == nil || f < firstSecond! { firstSecond = f }
        var candidates: [(UInt64, Int64)] = []
        if let s = peakSecond { candidates.append((peakSecondCount, s)) }
        if let s = other.peakSecond { candidates.append((other.peakSecondCount, s)) }
        for entry in seconds.liveEntries { candidates.append((entry.bucket.count, entry.unit)) }
        if let best = candidates.max(by: { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 > $1.1 }) {
            peakSecondCount = best.0
            peakSecond = best.1
        }
    }
}
