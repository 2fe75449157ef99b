/// The heatmap's tiers of one quantity (latency bands, or one row's counts), finest
/// first, and their *open slot*: the finest tier's newest slot.
///
/// The coarser tiers (minute, hour) hold every operation except those of the open
/// slot, which are added to them as one bucket when a newer slot opens
/// (`closeOpenSlot`). An operation in the open slot then costs one ring update instead
/// of one per tier, three: the tiers were a fifth of the demo fold. An operation older
/// than the open slot (late) still goes to every tier directly. A view reads a coarse
/// tier through `ring(_:includingOpenSlot:)`, so what it shows is what updating every
/// tier for every operation would show.
extension Array {
    /// Adds the finest ring's bucket at `unit` to every coarser ring.
    mutating func closeOpenSlot<Bucket>(unit: Int64) where Element == TimeRing<Bucket> {
        guard let bucket = self[0].bucket(atUnit: unit), !bucket.isEmpty else { return }
        let startNs = unit * self[0].slotWidthNs
        for tier in indices.dropFirst() { self[tier].update(atTimeNs: startNs) { $0.merge(bucket) } }
    }

    /// Ring `tier` as if the open slot at `openUnit` (nil: none) were closed.
    func ring<Bucket>(_ tier: Int, includingOpenSlot openUnit: Int64?) -> TimeRing<Bucket> where Element == TimeRing<Bucket> {
        guard tier > 0, let openUnit, let bucket = self[0].bucket(atUnit: openUnit), !bucket.isEmpty else { return self[tier] }
        var ring = self[tier]
        ring.update(atTimeNs: openUnit * self[0].slotWidthNs) { $0.merge(bucket) }
        return ring
    }
}
