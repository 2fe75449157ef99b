import EventStore
import Projections

/// The one "state at T" fold (DESIGN.md, "Event time"): from a start state that is a
/// whole log prefix whose newest event is at or before T, fold, in log order, every
/// later event whose time is at or before T, wherever it sits, up to `endOffset`.
///
/// Used by the live host's `?at=` and by a replay's `?at=`, so both answer the same.
/// While every event read is kept, the state is still a whole prefix and `onPrefix`
/// may cache it for nearby queries; past the first event left out, it is this
/// query's alone.
public struct TimeTravelFold<Views: Projection> {
    public var views: Views
    /// Offset after the last event folded (the start's when nothing was).
    public private(set) var foldedEnd: UInt64
    /// Newest event time folded.
    public private(set) var eventTimeNs: Int64?
    /// Offset after the whole prefix folded so far; meaningful while `wholePrefix`.
    public private(set) var prefixEnd: UInt64
    public private(set) var wholePrefix = true
    public let timeNs: Int64
    private var readOffset: UInt64

    public init(views: Views, nextOffset: UInt64, eventTimeNs: Int64?, timeNs: Int64) {
        precondition((eventTimeNs ?? .min) <= timeNs, "a time-travel fold starts from a prefix at or before its time")
        self.views = views
        self.foldedEnd = nextOffset
        self.eventTimeNs = eventTimeNs
        self.prefixEnd = nextOffset
        self.readOffset = nextOffset
        self.timeNs = timeNs
    }

    /// Folds one batch read from the log (batches passed over by a time-bounded reader
    /// simply arrive later). `include` leaves events out of a replay's range.
    /// Returns false once the batch reached `endOffset`.
    public mutating func fold(_ batch: LogBatch, endOffset: UInt64, include: (Event) -> Bool = { _ in true }) -> Bool {
        var offset = batch.baseOffset
        // Offsets passed over (all newer than T) leave the state a prefix no more.
        if offset > readOffset { wholePrefix = false }
        for event in batch.events {
            defer { offset += 1 }
            guard offset >= readOffset else { continue }
            guard offset < endOffset else {
                readOffset = endOffset
                return false
            }
            guard event.timeNs <= timeNs, include(event) else {
                if event.timeNs > timeNs { wholePrefix = false }
                continue
            }
            views.apply(event, offset: offset)
            foldedEnd = offset + 1
            eventTimeNs = max(eventTimeNs ?? event.timeNs, event.timeNs)
            if wholePrefix { prefixEnd = offset + 1 }
        }
        readOffset = max(readOffset, offset)
        if wholePrefix { prefixEnd = readOffset }
        return readOffset < endOffset
    }

    /// The answer: without live-only parts when they are to be left out
    /// (`Projection.omitLiveOnlyParts`), whatever state the fold started from.
    public var snapshot: EngineSnapshot<Views> {
        EngineSnapshot(views: views.omittingLiveOnlyParts(), nextOffset: foldedEnd, eventTimeNs: eventTimeNs, lastCheckpoint: nil)
    }
}
