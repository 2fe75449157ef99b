import CoreMetrics
import EventStore
import Synchronization

/// A counter's running total, read by the factory at each flush. `increment` is one
/// atomic add: no lock, no allocation, never blocks.
final class TachoCounter: CounterHandler, FloatingPointCounterHandler, Sendable {
    let series: SeriesKey
    /// Integer increments, and floating-point ones as their bit pattern's sum below.
    private let integerTotal = Atomic<Int64>(0)
    private let fractionTotal = Atomic<UInt64>(0.0.bitPattern)

    init(series: SeriesKey) {
        self.series = series
    }

    func increment(by amount: Int64) {
        integerTotal.wrappingAdd(amount, ordering: .relaxed)
    }

    func increment(by amount: Double) {
        guard amount.isFinite, amount > 0 else { return }
        var current = fractionTotal.load(ordering: .relaxed)
        while true {
            let (exchanged, original) = fractionTotal.compareExchange(
                expected: current, desired: (Double(bitPattern: current) + amount).bitPattern, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    func reset() {
        integerTotal.store(0, ordering: .relaxed)
        fractionTotal.store(0.0.bitPattern, ordering: .relaxed)
    }

    var total: Double { Double(integerTotal.load(ordering: .relaxed)) + Double(bitPattern: fractionTotal.load(ordering: .relaxed)) }
}

/// A meter (a gauge that can be set, raised and lowered), read at each flush.
final class TachoMeter: MeterHandler, Sendable {
    let series: SeriesKey
    private let bits = Atomic<UInt64>(0.0.bitPattern)

    init(series: SeriesKey) {
        self.series = series
    }

    func set(_ value: Int64) { set(Double(value)) }
    func set(_ value: Double) { bits.store(value.bitPattern, ordering: .relaxed) }
    func increment(by amount: Double) { add(amount) }
    func decrement(by amount: Double) { add(-amount) }

    private func add(_ amount: Double) {
        var current = bits.load(ordering: .relaxed)
        while true {
            let (exchanged, original) = bits.compareExchange(
                expected: current, desired: (Double(bitPattern: current) + amount).bitPattern, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
}

/// A recorder: each recorded value is a gauge `metric` event at the time it was recorded.
final class TachoRecorder: RecorderHandler, Sendable {
    let series: SeriesKey
    private let buffer: TachoEventBuffer
    private let nowNs: @Sendable () -> Int64

    init(series: SeriesKey, buffer: TachoEventBuffer, nowNs: @escaping @Sendable () -> Int64) {
        self.series = series
        self.buffer = buffer
        self.nowNs = nowNs
    }

    func record(_ value: Int64) { record(Double(value)) }

    func record(_ value: Double) {
        guard value.isFinite else { return }
        buffer.add(Event(timeNs: nowNs(), body: .metric(MetricSample(series: series, value: value))))
    }
}

/// A timer: each recorded duration is an `op` event (name = the label, `protocol`
/// `swift-metrics`, `ok` true), so it feeds the latency views.
final class TachoTimer: TimerHandler, Sendable {
    let name: String
    private let buffer: TachoEventBuffer
    private let nowNs: @Sendable () -> Int64

    init(name: String, buffer: TachoEventBuffer, nowNs: @escaping @Sendable () -> Int64) {
        self.name = name
        self.buffer = buffer
        self.nowNs = nowNs
    }

    func recordNanoseconds(_ duration: Int64) {
        guard duration >= 0 else { return }
        buffer.add(Event(timeNs: nowNs(), body: .op(Operation(
            name: name, protocol: "swift-metrics", durationMs: Double(duration) / 1_000_000, ok: true))))
    }
}

/// The events recorders and timers produce between flushes, bounded: past `eventsMax`
/// an event is dropped and counted, never waited for.
///
/// Two arrays take turns: a drain swaps in the other one (emptied, its capacity kept)
/// under the lock and copies the full one out after it, so a recording appends into
/// memory already touched: the page faults of fresh memory, and the copy, fall on the
/// flushing task, not on the caller that records.
final class TachoEventBuffer: Sendable {
    let eventsMax: Int
    private struct State {
        var events: [Event] = []
        var spare: [Event] = []
        var dropped: UInt64 = 0
    }
    private let state = Mutex(State())

    init(eventsMax: Int) {
        precondition(eventsMax > 0, "the buffer holds at least one event")
        self.eventsMax = eventsMax
    }

    func add(_ event: Event) {
        state.withLock {
            if $0.events.count < eventsMax { $0.events.append(event) } else { $0.dropped += 1 }
        }
    }

    /// Takes everything buffered.
    func drain() -> [Event] {
        var full = state.withLock { state -> [Event] in
            let taken = state.events
            state.events = state.spare
            state.spare = []
            return taken
        }
        let events = [Event](unsafeUninitializedCapacity: full.count) { buffer, initialized in
            initialized = buffer.initialize(fromContentsOf: full)
        }
        full.removeAll(keepingCapacity: true)
        state.withLock { if $0.spare.capacity < full.capacity { $0.spare = full } }
        return events
    }

    /// Puts back events a sink could not write, before newer ones, within the bound
    /// (the oldest are dropped and counted when they do not fit).
    func putBack(_ events: [Event]) {
        state.withLock {
            let room = eventsMax - $0.events.count
            let kept = events.suffix(max(0, room))
            $0.dropped += UInt64(events.count - kept.count)
            $0.events = Array(kept) + $0.events
        }
    }

    func recordDropped(_ count: Int) { state.withLock { $0.dropped += UInt64(count) } }

    var count: Int { state.withLock { $0.events.count } }
    var dropped: UInt64 { state.withLock { $0.dropped } }
}
