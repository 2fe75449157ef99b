/// What the log tells about its own work as it does it: batches written, fsyncs of
/// segments, compactions. The server counts them for `/metrics`; the log calls it on
/// its writer's and maintenance's own threads, so an implementation only counts
/// (atomics or a short lock) and never blocks.
public protocol LogObserver: Sendable {
    /// `batches` frames holding `events` events, `bytes` bytes in all, were written to
    /// the active segment (appends and a replica's stored frames alike).
    func wrote(events: Int, batches: Int, bytes: Int)
    /// The active segment was fsynced (by policy, at a roll, at close).
    func synced()
    /// A sealed segment was re-packed and renamed over the old one.
    func compacted()
}
