import CoreMetrics
import EventStore
import Synchronization

/// A swift-metrics backend that turns a Swift service's metrics into Tacho events:
///
/// ```swift
/// let tacho = TachoMetricsFactory(sink: TachoRemoteSink(server: "http://tacho:8080", token: token))
/// MetricsSystem.bootstrap(tacho)
/// Task { await tacho.run() }   // flushes every second until cancelled
/// ```
///
/// - `Counter`, `FloatingPointCounter`: a cumulative `metric` counter per label and
///   dimensions (dimensions are labels), written at each flush when it changed;
/// - `Meter`: a gauge, written at each flush when it changed;
/// - `Recorder` (`Gauge` included): each value a gauge event at the time it was recorded;
/// - `Timer`: each duration an `op` event named by the label, feeding the latency views.
///
/// Recording never blocks and never waits for the sink: counters and meters are atomics,
/// recorders and timers append to a bounded buffer (`bufferEventsMax`; beyond it events
/// are dropped and counted in `droppedEvents`). A failing sink keeps the events it did
/// not write (within the bound) and is retried with exponential backoff.
public final class TachoMetricsFactory: MetricsFactory, Sendable {
    public struct Options: Sendable {
        public var flushInterval: Duration = .seconds(1)
        public var retryBackoffMax: Duration = .seconds(30)
        public var bufferEventsMax = 100_000
        public var nowNs: @Sendable () -> Int64 = { EventTime.nowNs() }

        public init() {}
    }

    public let options: Options
    private let sink: any TachoMetricsSink
    private let buffer: TachoEventBuffer
    private struct Registry {
        var counters: [ObjectIdentifier: TachoCounter] = [:]
        var meters: [ObjectIdentifier: TachoMeter] = [:]
        /// The value each counter and meter had at its last successful write.
        var written: [ObjectIdentifier: Double] = [:]
    }
    private let registry = Mutex(Registry())

    public init(sink: any TachoMetricsSink, options: Options = Options()) {
        precondition(options.flushInterval > .zero && options.retryBackoffMax >= options.flushInterval, "0 < flush interval <= backoff max")
        self.sink = sink
        self.options = options
        self.buffer = TachoEventBuffer(eventsMax: options.bufferEventsMax)
    }

    /// Events dropped because the buffer was full (the sink slow or down for long).
    public var droppedEvents: UInt64 { buffer.dropped }
    /// Events waiting for the next flush.
    public var bufferedEvents: Int { buffer.count }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let counter = TachoCounter(series: Self.series(label, dimensions))
        registry.withLock { $0.counters[ObjectIdentifier(counter)] = counter }
        return counter
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        let counter = TachoCounter(series: Self.series(label, dimensions))
        registry.withLock { $0.counters[ObjectIdentifier(counter)] = counter }
        return counter
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        let meter = TachoMeter(series: Self.series(label, dimensions))
        registry.withLock { $0.meters[ObjectIdentifier(meter)] = meter }
        return meter
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        TachoRecorder(series: Self.series(label, dimensions), buffer: buffer, nowNs: options.nowNs)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        TachoTimer(name: Self.clamp(label), buffer: buffer, nowNs: options.nowNs)
    }

    public func destroyCounter(_ handler: any CounterHandler) { forget(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { forget(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { forget(handler) }
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    private func forget(_ handler: AnyObject) {
        let id = ObjectIdentifier(handler)
        registry.withLock {
            $0.counters[id] = nil
            $0.meters[id] = nil
            $0.written[id] = nil
        }
    }

    /// Labels and dimensions cut to the event limits, so every event is one Tacho accepts.
    private static func series(_ label: String, _ dimensions: [(String, String)]) -> SeriesKey {
        var pairs: [String: String] = [:]
        for (key, value) in dimensions.prefix(EventLimits.labelsCountMax) where !key.isEmpty && !value.isEmpty {
            pairs[clamp(key)] = clamp(value)
        }
        return SeriesKey(name: label.isEmpty ? "unnamed" : clamp(label), labels: Labels(pairs))
    }

    private static func clamp(_ text: String) -> String {
        guard text.utf8.count > EventLimits.nameBytesMax else { return text }
        var cut = Substring(text)
        while cut.utf8.count > EventLimits.nameBytesMax { cut = cut.dropLast() }
        return String(cut)
    }

    // MARK: Flushing

    /// Writes what changed since the last flush; false when the sink failed (what it did
    /// not write is kept for the next flush, within the buffer's bound).
    @discardableResult
    public func flush() async -> Bool {
        let timeNs = options.nowNs()
        let (snapshot, values) = registry.withLock { registry -> ([Event], [ObjectIdentifier: Double]) in
            var events: [Event] = []
            var values: [ObjectIdentifier: Double] = [:]
            for (id, counter) in registry.counters {
                let total = counter.total
                guard registry.written[id] != total else { continue }
                values[id] = total
                events.append(Event(timeNs: timeNs, body: .metric(MetricSample(series: counter.series, value: total, kind: .counter))))
            }
            for (id, meter) in registry.meters {
                let value = meter.value
                guard value.isFinite, registry.written[id] != value else { continue }
                values[id] = value
                events.append(Event(timeNs: timeNs, body: .metric(MetricSample(series: meter.series, value: value))))
            }
            return (events, values)
        }
        let buffered = buffer.drain()
        let events = buffered + snapshot
        guard !events.isEmpty else { return true }
        do {
            try await sink.write(events)
        } catch {
            // Buffered events not written are kept; counter and meter values are read
            // afresh at the next flush, so their unwritten snapshot is not.
            let unwrittenBuffered = max(0, buffered.count - error.written)
            buffer.putBack(Array(buffered.suffix(unwrittenBuffered)))
            let writtenSnapshot = snapshot.prefix(max(0, error.written - buffered.count))
            markWritten(writtenSnapshot, values: values)
            return false
        }
        markWritten(snapshot[...], values: values)
        return true
    }

    private func markWritten(_ events: ArraySlice<Event>, values: [ObjectIdentifier: Double]) {
        guard !events.isEmpty else { return }
        let written = Set(events.compactMap { event -> SeriesKey? in
            if case .metric(let sample) = event.body { return sample.series }
            return nil
        })
        registry.withLock { registry in
            for (id, value) in values {
                let series = registry.counters[id]?.series ?? registry.meters[id]?.series
                if let series, written.contains(series) { registry.written[id] = value }
            }
        }
    }

    /// Flushes every `flushInterval` until the task is cancelled, backing off
    /// exponentially (up to `retryBackoffMax`) while the sink fails; flushes once more
    /// on the way out.
    public func run() async {
        let clock = ContinuousClock()
        var delay = options.flushInterval
        while !Task.isCancelled {
            do { try await clock.sleep(for: delay) } catch { break }
            if await flush() {
                delay = options.flushInterval
            } else {
                delay = min(delay * 2, options.retryBackoffMax)
            }
        }
        await flush()
    }
}
