/// How a counter's samples turn into increases, in one place for the live series
/// tiers and the segments' minute rollups: each sample adds what the counter grew
/// since the newest sample by event time; a decrease is a reset (the counter
/// restarted from zero, so it grew by its new value); a sample older than the newest
/// adds nothing (the newer one already did) and does not move the state.
public enum CounterIncrease {
    /// The increase `value` at `timeNs` adds, updating the newest sample (`previous`,
    /// `previousTimeNs`); the first sample adds nothing.
    @inline(__always)
    public static func record(value: Double, timeNs: Int64, previous: inout Double?, previousTimeNs: inout Int64) -> Double {
        guard let last = previous else {
            previous = value
            previousTimeNs = timeNs
            return 0
        }
        guard timeNs >= previousTimeNs else { return 0 }
        previous = value
        previousTimeNs = timeNs
        return value >= last ? value - last : value
    }
}
