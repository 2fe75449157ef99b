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
}

/// A state that combines with another of its kind computed over a disjoint shard of
/// sources (counts add, histograms merge, breakers keep the later transition).
public protocol Mergeable {
    mutating func merge(_ other: Self)
}
