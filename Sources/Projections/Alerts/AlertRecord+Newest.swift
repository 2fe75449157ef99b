extension AlertRecord {
    /// The first `limit` records of `groups` (read in order) that `keep` holds, in
    /// `newerFirst` order: what sorting them all and taking a prefix gives, ties in
    /// input order as a stable sort leaves them. A view lists 50 of thousands of
    /// records, and sorting (moving) all of them was a fifth of a `?at=` answer's
    /// views.
    static func newest(_ groups: [[AlertRecord]], limit: Int, where keep: (AlertRecord) -> Bool) -> [AlertRecord] {
        guard limit > 0 else { return [] }
        var kept: [AlertRecord] = []
        // A caller may pass Int.max for every record.
        kept.reserveCapacity(min(limit, groups.reduce(0) { $0 + $1.count }))
        for group in groups {
            for record in group where keep(record) {
                if kept.count == limit, !newerFirst(record, kept[limit - 1]) { continue }
                // After every kept record it does not strictly precede: stable for ties.
                var low = 0, high = kept.count
                while low < high {
                    let middle = (low + high) / 2
                    if newerFirst(record, kept[middle]) { high = middle } else { low = middle + 1 }
                }
                if kept.count == limit { kept.removeLast() }
                kept.insert(record, at: low)
            }
        }
        return kept
    }
}
