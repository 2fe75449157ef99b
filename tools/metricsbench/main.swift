import CoreMetrics
import EventStore
import Foundation
import Synchronization
import TachoMetrics

/// tacho-metricsbench: the cost of recording through TachoMetrics (swift-metrics'
/// Counter.increment, Timer.recordNanoseconds, Recorder.record) beside two ceilings in
/// the same run: a bare relaxed atomic add, and swift-metrics' no-op handler (the API's
/// own dispatch). Build in release:
///
///     swift build -c release --product tacho-metricsbench && .build/release/tacho-metricsbench [iterations] [runs]

/// A sink that keeps nothing: the factory never flushes during the measurement anyway.
struct NullSink: TachoMetricsSink {
    func write(_ events: [Event]) async throws(TachoSinkError) {}
}

let iterations = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000_000
let runs = CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 5

var options = TachoMetricsFactory.Options()
options.bufferEventsMax = iterations
let tacho = TachoMetricsFactory(sink: NullSink(), options: options)
let tachoCounter = Counter(label: "requests_total", dimensions: [("route", "/orders")], factory: tacho)
let tachoTimer = Timer(label: "GET /orders", dimensions: [("protocol", "http1")], factory: tacho)
let tachoRecorder = Recorder(label: "queue_depth", dimensions: [], factory: tacho)
let noopCounter = Counter(label: "requests_total", dimensions: [("route", "/orders")], factory: NOOPMetricsHandler.instance)
let noopTimer = Timer(label: "GET /orders", dimensions: [("protocol", "http1")], factory: NOOPMetricsHandler.instance)
let noopRecorder = Recorder(label: "queue_depth", dimensions: [], factory: NOOPMetricsHandler.instance)
let atomic = Atomic<Int64>(0)

@inline(never) func measure(_ name: String, _ body: (Int) -> Void) async -> Double {
    var perOp: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<iterations { body(index) }
        perOp.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations))
        // Outside the timed loop: hands the buffered events to the (null) sink.
        await tacho.flush()
    }
    let median = perOp.sorted()[runs / 2]
    print(String(format: "%-44@ median %7.1f ns/op (runs: %@)", name as NSString, median, perOp.map { String(format: "%.1f", $0) }.joined(separator: ", ")))
    return median
}

print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; \(iterations) operations × \(runs) runs, one thread")
_ = await measure("ceiling: Atomic<Int64>.wrappingAdd (relaxed)") { _ in atomic.wrappingAdd(1, ordering: .relaxed) }
_ = await measure("ceiling: swift-metrics NOOP Counter.increment") { _ in noopCounter.increment() }
_ = await measure("ceiling: swift-metrics NOOP Timer.recordNanoseconds") { index in noopTimer.recordNanoseconds(Int64(1_000 + index & 1023)) }
_ = await measure("ceiling: swift-metrics NOOP Recorder.record") { index in noopRecorder.record(index & 1023) }
_ = await measure("TachoMetrics Counter.increment") { _ in tachoCounter.increment() }
_ = await measure("TachoMetrics Timer.recordNanoseconds") { index in tachoTimer.recordNanoseconds(Int64(1_000 + index & 1023)) }
_ = await measure("TachoMetrics Recorder.record") { index in tachoRecorder.record(index & 1023) }
print("buffered events at the end: \(tacho.bufferedEvents), dropped: \(tacho.droppedEvents)")
