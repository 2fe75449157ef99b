import EventStore
import Projections

/// The views at the end of every step (a second, for `tacho replay --views`) of a range,
/// each the event-time fold `?at=` answers (DESIGN.md, "Event time"): every event of the
/// range stamped at or before the step's end, in log order, wherever it sits in the log.
///
/// Two passes over the range, each one sequential read. The first (`StepIndex`) notes
/// which steps hold events and the few events that matter out of order: those stamped
/// in a step before the highest step already seen (late across a step boundary). The
/// second (`EventTimeSweep`) folds the range in log order into one prefix state, which
/// for a step holds every event before the first one stamped after it; the view of the
/// step is that prefix plus the late events after it stamped within the step, read back
/// by offset. On a log in time order the second set is empty and nothing is copied.
public struct StepIndex: Sendable {
    public let stepNs: Int64
    /// The steps holding events, ascending, once `finish()` ran.
    public private(set) var steps: [Int64] = []
    /// Offsets and steps of the late events, by step then offset, once `finish()` ran.
    public private(set) var late: [(offset: UInt64, step: Int64)] = []
    private var stepSet = Set<Int64>()
    private var highestStep: Int64?

    public init(stepNs: Int64) {
        precondition(stepNs > 0, "a sweep's step is positive")
        self.stepNs = stepNs
    }

    /// The step holding `timeNs` (floor division, also before 1970).
    public func step(of timeNs: Int64) -> Int64 {
        let (quotient, remainder) = timeNs.quotientAndRemainder(dividingBy: stepNs)
        return remainder < 0 ? quotient - 1 : quotient
    }

    /// Notes the range's next event, in log order.
    public mutating func add(timeNs: Int64, offset: UInt64) {
        let step = step(of: timeNs)
        stepSet.insert(step)
        if let highest = highestStep, step < highest { late.append((offset, step)) }
        highestStep = max(highestStep ?? step, step)
    }

    public mutating func finish() {
        steps = stepSet.sorted()
        late.sort { ($0.step, $0.offset) < ($1.step, $1.offset) }
    }
}

public struct EventTimeSweep<Views: Projection> {
    /// Every event folded so far, in log order.
    public private(set) var prefix = Views()
    private let index: StepIndex
    /// The next step of `index.steps` to emit.
    private var next = 0
    /// The next late event of `index.late` not yet in `pending`.
    private var lateCursor = 0
    /// Late events stamped within the current step, not yet in the prefix, ascending.
    private var pending: [UInt64] = []
    /// Reads one event of the range back by offset.
    private let read: (UInt64) throws -> Event

    /// - Parameters:
    ///   - index: the first pass over the same range (`finish()` called).
    ///   - read: the event at an offset of the range (only late events are read back).
    public init(index: StepIndex, read: @escaping (UInt64) throws -> Event) {
        self.index = index
        self.read = read
    }

    /// Folds the range's next event (log order), first emitting every step whose fold
    /// ends before it: `emit(step, views)`, steps ascending.
    public mutating func add(_ event: Event, offset: UInt64, emit: (Int64, Views) throws -> Void) throws {
        let step = index.step(of: event.timeNs)
        while next < index.steps.count, index.steps[next] < step {
            try emitNext(blockedAt: offset, emit: emit)
        }
        prefix.apply(event, offset: offset)
    }

    /// Emits the steps left after the range's last event.
    public mutating func finish(emit: (Int64, Views) throws -> Void) throws {
        while next < index.steps.count { try emitNext(blockedAt: .max, emit: emit) }
    }

    /// The step `index.steps[next]`, whose prefix ends at offset `blockedAt`.
    private mutating func emitNext(blockedAt: UInt64, emit: (Int64, Views) throws -> Void) throws {
        let step = index.steps[next]
        next += 1
        while lateCursor < index.late.count, index.late[lateCursor].step <= step {
            let offset = index.late[lateCursor].offset
            pending.insert(offset, at: pending.partitionPoint { $0 >= offset })
            lateCursor += 1
        }
        // Those before the blocking event are in the prefix already.
        pending.removeFirst(pending.partitionPoint { $0 >= blockedAt })
        guard !pending.isEmpty else { return try emit(step, prefix) }
        var views = prefix
        for offset in pending { views.apply(try read(offset), offset: offset) }
        try emit(step, views)
    }
}

extension Array {
    /// The index of the first element for which `isAtOrAfter` holds (the array is
    /// partitioned: false for a prefix, true after).
    func partitionPoint(_ isAtOrAfter: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if isAtOrAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
