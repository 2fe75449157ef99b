/// The newest slot of a fine ring (a second, ten seconds) whose coarser rings (minutes,
/// hours) take its events only when a newer slot opens, as one bucket.
///
/// An event in the open slot then costs one ring update instead of one per ring: a
/// projection's coarse tiers were a fifth of the demo fold. An event older than the
/// open slot (late) goes to every ring directly, as an event newer than it opens a new
/// slot and closes this one. A reader sees a coarse ring through
/// `TimeRing.including(_:of:)`: what updating every ring for every event would hold.
/// A stored, merged or compared state is the closed one (`closed()`), so the open slot
/// changes neither checkpoints nor equality.
public struct OpenSlot: Sendable {
    /// The fine ring's newest unit while its events are not in the coarser rings yet;
    /// nil before the first event and after a decode or a merge, whose coarser rings
    /// hold everything.
    public private(set) var unit: Int64?

    public init() {}

    /// Where an event goes.
    enum Step {
        /// Into the open slot: the fine ring only.
        case open
        /// It opens a newer slot: close `closing` (add it to the coarse rings), move
        /// the coarse rings' heads to the event's time, then as `.open`.
        case opens(closing: Int64?)
        /// Older than the open slot: every ring.
        case late
    }

    /// The step for an event of fine `unit`, the fine ring's head being `fineHead`.
    @inline(__always)
    mutating func step(_ unit: Int64, fineHead: Int64?) -> Step {
        if unit == self.unit { return .open }
        guard unit > fineHead ?? .min else { return .late }
        assert(self.unit == nil || self.unit == fineHead, "the open slot is the fine ring's newest")
        let closing = self.unit
        self.unit = unit
        return .opens(closing: closing)
    }

    /// Ends the open slot (before storing or merging); the unit to close, if any.
    mutating func close() -> Int64? {
        defer { unit = nil }
        return unit
    }
}

extension TimeRing {
    /// Adds `fine`'s bucket at `unit`, a slot that has closed, to this coarser ring.
    mutating func add(closedSlot unit: Int64, of fine: TimeRing<Bucket>) {
        guard let bucket = fine.bucket(atUnit: unit), !bucket.isEmpty else { return }
        update(atTimeNs: unit * fine.slotWidthNs) { $0.merge(bucket) }
    }

    /// This coarser ring with `fine`'s open slot added: what a reader sees.
    public func including(_ openSlot: OpenSlot, of fine: TimeRing<Bucket>) -> TimeRing<Bucket> {
        guard let unit = openSlot.unit, let bucket = fine.bucket(atUnit: unit), !bucket.isEmpty else { return self }
        var ring = self
        ring.update(atTimeNs: unit * fine.slotWidthNs) { $0.merge(bucket) }
        return ring
    }
}
