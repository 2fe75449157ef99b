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
    /// Per-minute history, the open second's operations included.
    public var minutes: TimeRing<OpCounts> { closedMinutes.including(openSecond, of: seconds) }
    /// Per-minute history but for the open second, which joins it when the next second
    /// opens (`OpenSlot`); stored as `minutes`.
    private var closedMinutes = TimeRing<OpCounts>(slotWidthNs: TimeUnits.nanosPerMinute, capacity: minuteSlots)
    private var openSecond = OpenSlot()
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
        let step = openSecond.step(second, fineHead: seconds.headUnit)
        switch step {
        case .open, .late:
            break
        case .opens(let closing):
            // Before the new second moves the ring on: the closing second is in it.
            if let closing { closedMinutes.add(closedSlot: closing, of: seconds) }
            closedMinutes.advance(toUnit: closedMinutes.unit(of: timeNs))
        }
        var secondCount: UInt64 = 0
        if seconds.update(unit: second, { $0.record(ok: ok); secondCount = $0.count }) == .late {
            lateEvents &+= 1
        } else if secondCount > peakSecondCount || (secondCount == peakSecondCount && second < peakSecond!) {
            peakSecondCount = secondCount
            peakSecond = second
        }
        if case .late = step, closedMinutes.update(atTimeNs: timeNs, { $0.record(ok: ok) }) == .late {
            tooOldForHistory &+= 1
        }
    }

    /// This state with the open second in the minutes: what is stored, merged and compared.
    private var closed: ThroughputProjection {
        var copy = self
        if let second = copy.openSecond.close() { copy.closedMinutes.add(closedSlot: second, of: copy.seconds) }
        return copy
    }

    /// Shards add: per-second and per-minute counts of the same slot add. The peak
    /// since start becomes the larger of the two shards' peaks and of the merged live
    /// seconds, a lower bound of the true combined peak when shards peaked apart.
    public mutating func merge(_ other: ThroughputProjection) {
        self = closed
        let other = other.closed
        seconds.merge(other.seconds)
        closedMinutes.merge(other.closedMinutes)
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

extension ThroughputProjection {
    private enum CodingKeys: String, CodingKey {
        case seconds, closedMinutes = "minutes", totals, lateEvents, tooOldForHistory, firstSecond, peakSecondCount, peakSecond
    }

    public func encode(to encoder: any Encoder) throws {
        let closed = closed
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(closed.seconds, forKey: .seconds)
        try container.encode(closed.closedMinutes, forKey: .closedMinutes)
        try container.encode(closed.totals, forKey: .totals)
        try container.encode(closed.lateEvents, forKey: .lateEvents)
        try container.encode(closed.tooOldForHistory, forKey: .tooOldForHistory)
        try container.encodeIfPresent(closed.firstSecond, forKey: .firstSecond)
        try container.encode(closed.peakSecondCount, forKey: .peakSecondCount)
        try container.encodeIfPresent(closed.peakSecond, forKey: .peakSecond)
    }

    /// Equal when they hold the same operations, open second or not.
    public static func == (lhs: ThroughputProjection, rhs: ThroughputProjection) -> Bool {
        let l = lhs.closed, r = rhs.closed
        return l.seconds == r.seconds && l.closedMinutes == r.closedMinutes && l.totals == r.totals && l.lateEvents == r.lateEvents
            && l.tooOldForHistory == r.tooOldForHistory && l.firstSecond == r.firstSecond
            && l.peakSecondCount == r.peakSecondCount && l.peakSecond == r.peakSecond
    }
}
