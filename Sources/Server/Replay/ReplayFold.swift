import EventStore
import Projections
import Runtime

/// The views folded over a prefix of the replayed range: every event of the range
/// before log offset `position`, in log order.
public struct ReplayFoldState: Sendable {
    public var views = ProjectionSet()
    /// The next log offset to consider; events before it are folded or outside the range.
    public var position: UInt64
    /// The latest event time folded; nil before any.
    public var eventTimeNs: Int64?

    init(position: UInt64) {
        self.position = position
    }

    /// As the read routes and the stream want it; `nextOffset` is the one after the last folded event.
    var snapshot: EngineSnapshot<ProjectionSet> {
        EngineSnapshot(views: views, nextOffset: views.lastOffset.map { $0 + 1 } ?? 0, eventTimeNs: eventTimeNs, lastCheckpoint: nil)
    }
}

/// What one `fold` call did.
struct ReplayFoldStep {
    var folded = 0
    var types = Set<EventType>()
    /// Stopped at an event of the range later than the time asked for: everything at or
    /// before that time (as the longest prefix) is folded.
    var blocked = false
    /// The range has no more events: the fold is complete.
    var exhausted = false
}

/// Reads the range's events from a position onwards and folds them, remembering where
/// it stopped inside a batch so the next call continues there. One task at a time.
final class ReplayLogCursor {
    let source: ReplaySource
    private let reader: LogReader
    private var pending: ArraySlice<Event> = []
    private var pendingBase: UInt64 = 0
    private(set) var exhausted = false

    init(source: ReplaySource, position: UInt64) {
        self.source = source
        self.reader = source.log.reader(from: position)
        self.pendingBase = position
    }

    /// Folds, in log order, the range's events whose time is at or before `upToNs`, until
    /// the first later one (the prefix rule of `ProjectionHost.views(atNs:)`), the range's
    /// end, or `eventsMax` events.
    func fold(into state: inout ReplayFoldState, upToNs: Int64, eventsMax: Int) throws(ReplayError) -> ReplayFoldStep {
        precondition(eventsMax > 0, "a fold step folds at least one event")
        var step = ReplayFoldStep()
        while step.folded < eventsMax {
            guard let event = pending.first else {
                let more = exhausted ? false : try refill(position: state.position)
                if !more {
                    exhausted = true
                    step.exhausted = true
                    return step
                }
                continue
            }
            if source.contains(event.timeNs) {
                if event.timeNs > upToNs {
                    step.blocked = true
                    return step
                }
                state.views.apply(event, offset: pendingBase)
                state.eventTimeNs = Swift.max(state.eventTimeNs ?? event.timeNs, event.timeNs)
                step.types.insert(event.type)
                step.folded += 1
            }
            pending = pending.dropFirst()
            pendingBase += 1
            state.position = pendingBase
        }
        return step
    }

    /// Loads the next batch with events at or after `position`; false at the range's end.
    /// A batch wholly at or after `to` ends the range (producers' clocks may disagree a
    /// little, so a single later event does not).
    private func refill(position: UInt64) throws(ReplayError) -> Bool {
        while true {
            let batch: LogBatch?
            do { batch = try ReplaySource.next(reader) } catch {
                throw ReplayError(.readFailed, "reading \(source.dataDirectory) from offset \(position): \(error) (run `tacho verify`)")
            }
            guard let batch else { return false }
            var events = batch.events[...]
            var base = batch.baseOffset
            if base < position {
                events = events.dropFirst(Int(min(UInt64(events.count), position - base)))
                base = position
            }
            if let toNs = source.toNs, !events.isEmpty, events.allSatisfy({ $0.timeNs >= toNs }) { return false }
            guard !events.isEmpty else { continue }
            pending = events
            pendingBase = base
            return true
        }
    }
}
