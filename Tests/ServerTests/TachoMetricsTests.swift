import CoreMetrics
import EventStore
import Foundation
import Metrics
import Synchronization
import Testing
@testable import Server
@testable import TachoMetrics

/// A sink that records what it was given, and can be made to fail.
final class RecordingSink: TachoMetricsSink {
    private let state = Mutex<(events: [Event], failing: Bool, calls: Int)>(([], false, 0))

    func write(_ events: [Event]) async throws(TachoSinkError) {
        let failing = state.withLock {
            $0.calls += 1
            return $0.failing
        }
        if failing { throw TachoSinkError(written: 0, reason: "down") }
        state.withLock { $0.events += events }
    }

    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }
    var events: [Event] { state.withLock { $0.events } }
}

@Suite struct TachoMetricsTests {
    static func options(bufferEventsMax: Int = 1000) -> TachoMetricsFactory.Options {
        var options = TachoMetricsFactory.Options()
        options.bufferEventsMax = bufferEventsMax
        options.nowNs = { 1_000 }
        options.flushInterval = .milliseconds(50)
        options.retryBackoffMax = .milliseconds(200)
        return options
    }

    @Test func swiftMetricsAPI_counterMeterRecorderTimer_becomeEvents() async throws {
        let sink = RecordingSink()
        let factory = TachoMetricsFactory(sink: sink, options: Self.options())
        let counter = Counter(label: "jobs_total", dimensions: [("queue", "fast")], factory: factory)
        let floating = FloatingPointCounter(label: "bytes_total", factory: factory)
        let meter = Meter(label: "in_flight", factory: factory)
        let gauge = Gauge(label: "temperature", factory: factory)
        let recorder = Recorder(label: "batch_size", factory: factory)
        let timer = Metrics.Timer(label: "GET /orders", factory: factory)
        counter.increment(by: 3)
        counter.increment()
        floating.increment(by: 1.5)
        meter.increment(by: 5)
        meter.decrement(by: 2)
        gauge.record(21.5)
        recorder.record(64)
        timer.recordMilliseconds(12)
        #expect(await factory.flush())
        let samples = Dictionary(metricSamples(sink.events).map { ("\($0.name)\(Labels($0.labels))", ($0.value, $0.kind)) }) { a, _ in a }
        #expect(samples[#"jobs_total{queue="fast"}"#]! == (4, .counter))
        #expect(samples["bytes_total"]! == (1.5, .counter))
        #expect(samples["in_flight"]! == (3, .gauge))
        #expect(samples["temperature"]! == (21.5, .gauge) && samples["batch_size"]! == (64, .gauge))
        #expect(sink.events.contains { $0.body == .op(Operation(name: "GET /orders", protocol: "swift-metrics", durationMs: 12, ok: true)) })
        #expect(sink.events.allSatisfy { $0.timeNs == 1_000 })
        // Unchanged counters and meters are not written again; a change is.
        let before = sink.events.count
        #expect(await factory.flush())
        #expect(sink.events.count == before)
        counter.increment()
        #expect(await factory.flush())
        #expect(metricSamples(Array(sink.events[before...])).map(\.value) == [5])
        counter.reset()
        #expect(await factory.flush())
        #expect(metricSamples(sink.events).last?.value == 0)
    }

    @Test func failingSink_keepsEventsWithinTheBound_countsDrops_andCatchesUp() async throws {
        let sink = RecordingSink()
        let factory = TachoMetricsFactory(sink: sink, options: Self.options(bufferEventsMax: 10))
        let recorder = Recorder(label: "r", factory: factory)
        let counter = Counter(label: "c_total", factory: factory)
        sink.setFailing(true)
        for value in 0..<25 { recorder.record(Double(value)) }
        counter.increment(by: 7)
        #expect(await factory.flush() == false)
        #expect(factory.bufferedEvents == 10 && factory.droppedEvents == 15)
        sink.setFailing(false)
        #expect(await factory.flush())
        let samples = metricSamples(sink.events)
        // The buffer was full from the tenth value on: the later ones were dropped, never waited for.
        #expect(samples.filter { $0.name == "r" }.map(\.value) == (0..<10).map(Double.init))
        #expect(samples.filter { $0.name == "c_total" }.map(\.value) == [7])
        #expect(factory.bufferedEvents == 0)
    }

    @Test func recording_neverWaitsForTheSink() async throws {
        let sink = RecordingSink()
        let factory = TachoMetricsFactory(sink: sink, options: Self.options(bufferEventsMax: 100))
        let timer = Metrics.Timer(label: "t", factory: factory)
        let counter = Counter(label: "n_total", factory: factory)
        sink.setFailing(true)
        let clock = ContinuousClock()
        let took = clock.measure {
            for _ in 0..<100_000 {
                counter.increment()
                timer.recordNanoseconds(1000)
            }
        }
        // Generous for a debug build on a loaded machine; the point is no waiting on I/O.
        #expect(took < .seconds(5))
        #expect(factory.bufferedEvents == 100 && factory.droppedEvents == 99_900)
    }

    @Test func embeddedSink_appendsToADataDirectory() async throws {
        let directory = try TemporaryDirectory("embedded")
        defer { directory.remove() }
        let sink = try TachoEmbeddedSink(dataDirectory: directory.path)
        let factory = TachoMetricsFactory(sink: sink, options: Self.options())
        Counter(label: "started_total", factory: factory).increment()
        Metrics.Timer(label: "work", factory: factory).recordMilliseconds(3)
        #expect(await factory.flush())
        try await sink.close()
        let log = try ReadOnlyEventLog.open(directory: directory.path)
        let reader = log.reader()
        var events: [Event] = []
        while let batch = try reader.next() { events += batch.events }
        #expect(metricSamples(events).map(\.name) == ["started_total"])
        #expect(events.contains { if case .op(let op) = $0.body { return op.name == "work" && op.durationMs == 3 } else { return false } })
    }

    /// The remote sink against a real server with a token: down first (the factory keeps
    /// and retries), then up on the same port (everything kept arrives).
    @Test func remoteSink_whileServerIsDown_buffers_thenDeliversWhenItComesBack() async throws {
        let port = try freeLoopbackPort()
        var options = Self.options()
        options.nowNs = { EventTime.nowNs() }
        let startedNs = EventTime.nowNs()
        let factory = TachoMetricsFactory(sink: TachoRemoteSink(server: "http://127.0.0.1:\(port)", token: "s3cret"), options: options)
        let recorder = Recorder(label: "queue_depth", dimensions: [("queue", "orders")], factory: factory)
        let counter = Counter(label: "orders_total", factory: factory)
        for value in 1...5 { recorder.record(Double(value)) }
        counter.increment(by: 2)
        let running = Task { await factory.run() }
        let failing = await poll(timeout: .seconds(10)) { factory.bufferedEvents == 5 }
        #expect(failing && factory.droppedEvents == 0)
        let server = try await LiveServer.start {
            $0.port = port
            $0.token = "s3cret"
        }
        let delivered = await poll(timeout: .seconds(30)) {
            let samples = metricSamples((try? server.app.engine.loggedEvents().map(\.event)) ?? [])
            return samples.filter { $0.name == "queue_depth" }.count == 5 && samples.contains { $0.name == "orders_total" && $0.value == 2 }
        }
        running.cancel()
        await running.value
        let samples = metricSamples(try server.app.engine.loggedEvents().map(\.event))
        try await server.stop()
        #expect(delivered)
        #expect(samples.filter { $0.name == "queue_depth" }.map(\.value) == [1, 2, 3, 4, 5])
        #expect(samples.filter { $0.name == "queue_depth" }.allSatisfy { $0.labels == ["queue": "orders"] && $0.timeNs >= startedNs })
    }
}
