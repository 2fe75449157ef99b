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

    /// Loads the next batch with events at or after `position`; false at the range's end
    /// (`source.endOffset`: a batch wholly after the range may precede a backfill inside it).
    private func refill(position: UInt64) throws(ReplayError) -> Bool {
        while true {
            guard let batch = try source.next(reader, reading: "from offset \(position)"), batch.baseOffset < source.endOffset else { return false }
            var events = batch.events[...]
            var base = batch.baseOffset
            if base < position {
                events = events.dropFirst(Int(min(UInt64(events.count), position - base)))
                base = position
            }
            guard !events.isEmpty else { continue }
            pending = events
            pendingBase = base
            return true
        }
    }
}

/// The views at a replay's cursor T: the prefix fold (every event before the first one
/// of the range stamped after T) plus the range's later events stamped at or before T,
/// in log order: the event-time fold `?at=T` answers (DESIGN.md, "Event time"). On a log
/// in time order nothing follows the prefix and this is the prefix itself.
///
/// Moving T forward extends it with the events stamped in (old T, new T] when all of
/// them come after the last event it folded (a backfill in time order behind live
/// data); otherwise, or when the prefix moved, it is folded again from the prefix.
struct ReplayCursorFold {
    var views: ProjectionSet
    var eventTimeNs: Int64?
    /// The cursor's time: every event past the prefix stamped at or before it is folded.
    /// Nil while nothing past the prefix has been read.
    private(set) var timeNs: Int64?
    /// The prefix this fold extends: its position, where reading the rest starts.
    private(set) var prefixPosition: UInt64
    /// Offset after the last event folded past the prefix (the prefix's position when none).
    private var foldedEnd: UInt64
    /// Types of the events folded past the prefix: the views a change of it touches.
    private(set) var lateTypes = Set<EventType>()

    /// The prefix alone (nothing after it read yet).
    init(prefix: ReplayFoldState) {
        views = prefix.views
        eventTimeNs = prefix.eventTimeNs
        prefixPosition = prefix.position
        foldedEnd = prefix.position
    }

    /// As the read routes and the stream want it; `nextOffset` is the one after the last folded event.
    var snapshot: EngineSnapshot<ProjectionSet> {
        EngineSnapshot(views: views, nextOffset: views.lastOffset.map { $0 + 1 } ?? 0, eventTimeNs: eventTimeNs, lastCheckpoint: nil)
    }

    /// The fold at `timeNs` over `prefix`: this one extended when it can be, else a new
    /// one. `prefix` holds every event of the range before its position stamped at or
    /// before `timeNs`, and is folded up to the first later one (or the range's end).
    static func at(
        _ timeNs: Int64, prefix: ReplayFoldState, previous: ReplayCursorFold?, source: ReplaySource
    ) throws(ReplayError) -> ReplayCursorFold {
        if let previous, previous.prefixPosition == prefix.position, let previousNs = previous.timeNs, previousNs <= timeNs {
            var extended = previous
            if try extended.extend(to: timeNs, source: source) { return extended }
        }
        var fresh = ReplayCursorFold(prefix: prefix)
        let extended = try fresh.extend(to: timeNs, source: source)
        assert(extended, "a fold from the prefix folds every later event in log order")
        return fresh
    }

    /// Folds the events past the prefix stamped in (`self.timeNs`, `newTimeNs`]; false
    /// (the fold left unusable) when one sits before an event already folded.
    private mutating func extend(to newTimeNs: Int64, source: ReplaySource) throws(ReplayError) -> Bool {
        if let timeNs, newTimeNs <= timeNs { return true }
        defer { timeNs = newTimeNs }
        guard prefixPosition < source.endOffset else { return true }
        let afterNs = timeNs
        let reader = source.log.reader(from: prefixPosition)
        reader.eventTimeAtMost = newTimeNs
        reader.eventTimeAfter = afterNs
        while true {
            guard let batch = try source.next(reader, reading: "from offset \(prefixPosition)"), batch.baseOffset < source.endOffset else { break }
            var offset = batch.baseOffset
            for event in batch.events {
                defer { offset += 1 }
                guard offset >= prefixPosition, event.timeNs <= newTimeNs, afterNs.map({ event.timeNs > $0 }) ?? true,
                      source.contains(event.timeNs) else { continue }
                if offset < foldedEnd { return false }
                views.apply(event, offset: offset)
                eventTimeNs = max(eventTimeNs ?? event.timeNs, event.timeNs)
                lateTypes.insert(event.type)
                foldedEnd = offset + 1
            }
        }
        return true
    }
}
