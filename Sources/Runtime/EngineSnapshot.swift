import EventStore
import Projections

/// A consistent view of the engine: every view as of one log prefix.
public struct EngineSnapshot<Views: Projection>: Sendable {
    public let views: Views
    /// The prefix covered is offsets `0..<nextOffset`.
    public let nextOffset: UInt64
    /// The newest event time folded, nil before the first event.
    public let eventTimeNs: Int64?
    /// The last checkpoint written or loaded by the live host; nil for time-travel answers.
    public let lastCheckpoint: CheckpointStamp?
    /// Alert events the rules raised folding `0..<nextOffset` that were not in the log
    /// when this was published (the live host publishes before appending them); 0 for
    /// time-travel answers. A snapshot with none, whose `nextOffset` is the log's end,
    /// shows an engine with nothing left to do: read in one place, so no batch folded
    /// between two reads can slip through.
    public let alertsWaiting: Int

    public init(views: Views, nextOffset: UInt64, eventTimeNs: Int64?, lastCheckpoint: CheckpointStamp?, alertsWaiting: Int = 0) {
        self.views = views
        self.nextOffset = nextOffset
        self.eventTimeNs = eventTimeNs
        self.lastCheckpoint = lastCheckpoint
        self.alertsWaiting = alertsWaiting
    }

    /// The offset of the last event folded (an SSE message's `id:`), nil when none.
    public var offset: UInt64? { nextOffset == 0 ? nil : nextOffset - 1 }
}

/// Where and when a checkpoint was taken.
public struct CheckpointStamp: Sendable, Equatable {
    public let nextOffset: UInt64
    public let eventTimeNs: Int64?
    /// Wall clock when written (or, for one loaded at start, when loaded).
    public let writtenAtNs: Int64

    public init(nextOffset: UInt64, eventTimeNs: Int64?, writtenAtNs: Int64) {
        self.nextOffset = nextOffset
        self.eventTimeNs = eventTimeNs
        self.writtenAtNs = writtenAtNs
    }
}

/// What one applied batch changed, for the server's live stream.
public struct EngineUpdate: Sendable, Equatable {
    /// The offset of the last event folded.
    public let offset: UInt64
    /// The event types the batch held, and those of updates this subscriber's buffer
    /// dropped (so the views they changed are still republished).
    public let eventTypes: Set<EventType>
    /// At least this many updates were dropped from this subscriber's buffer before it:
    /// it fell behind; its next snapshot read covers them, `eventTypes` says what changed.
    public let droppedBefore: Int

    public init(offset: UInt64, eventTypes: Set<EventType>, droppedBefore: Int = 0) {
        self.offset = offset
        self.eventTypes = eventTypes
        self.droppedBefore = droppedBefore
    }
}
