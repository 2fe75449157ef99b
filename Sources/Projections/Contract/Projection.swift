import EventStore

/// A pure fold of the log into a view.
///
/// Implementations must guarantee: the same events in the same order give an equal
/// value and equal encoded bytes; no clocks, randomness or I/O (time is the events'
/// time); nothing that is encoded or compared depends on dictionary order; memory is
/// bounded whatever the log length.
public protocol Projection: Codable, Sendable, Equatable {
    /// The empty state, before any event.
    init()
    /// Folds one event, at the log offset it was assigned.
    mutating func apply(_ event: Event, offset: UInt64)
    /// Leaves out the parts only the live state keeps (whose size grows with the
    /// history they cover): view snapshots and `?at=` answers do not hold them.
    mutating func omitLiveOnlyParts()
    /// After a state without them was restored: the live-only parts start empty.
    mutating func restartLiveOnlyParts()
}

extension Projection {
    public mutating func omitLiveOnlyParts() {}
    public mutating func restartLiveOnlyParts() {}
}

/// A state that combines with another of its kind computed over a disjoint shard of
/// sources (counts add, histograms merge, breakers keep the later transition).
public protocol Mergeable {
    mutating func merge(_ other: Self)
}

extension Projection {
    /// This state without its live-only parts: what a `?at=` answer holds.
    public func omittingLiveOnlyParts() -> Self {
        var copy = self
        copy.omitLiveOnlyParts()
        return copy
    }
}
