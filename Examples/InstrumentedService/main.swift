import Foundation
import Metrics
import Server
import TachoMetrics

/// A Swift service instrumented with swift-metrics, recording into Tacho in-process:
/// its counters, gauges and timers become events in a local data directory, and the
/// dashboard, the JSON API and PromQL serve them from the same process.
///
///     swift run tacho-example-service --data /tmp/orders --port 8090
///     open http://127.0.0.1:8090/
///
/// The instrumentation is the few lines under "Instrumenting"; the rest is a fake
/// order service to have something to measure.

var options = ServerOptions()
options.dataDirectory = argument("--data") ?? "./.tacho-example"
options.port = Int(argument("--port") ?? "8090") ?? 8090
options.collectsHostVitals = true
options.retentionExplicit = true

let app = try await TachoApp.open(options: options)
let dataDirectory = options.dataDirectory

// MARK: Instrumenting: three lines
let tacho = TachoMetricsFactory(sink: TachoEmbeddedSink(log: app.engine.log))
MetricsSystem.bootstrap(tacho)
let flushing = Task { await tacho.run() }

// MARK: The service (fake work, real metrics)
let orders = Counter(label: "orders_total", dimensions: [("service", "orders")])
let failures = Counter(label: "order_failures_total", dimensions: [("service", "orders")])
let queueDepth = Gauge(label: "order_queue_depth", dimensions: [("service", "orders")])
let workload = Task {
    var random = SystemRandomNumberGenerator()
    var tick: UInt64 = 0
    while !Task.isCancelled {
        tick += 1
        let route = ["GET /orders", "POST /orders", "GET /orders/{id}"][Int(tick % 3)]
        let timer = Timer(label: route, dimensions: [("protocol", "http1")])
        let durationNs = Int64.random(in: 2_000_000...40_000_000, using: &random)
        timer.recordNanoseconds(durationNs)
        orders.increment()
        if Int.random(in: 0..<50, using: &random) == 0 { failures.increment() }
        queueDepth.record(Int.random(in: 0...20, using: &random))
        try? await Task.sleep(for: .milliseconds(20))
    }
}

try await app.run { port in
    FileHandle.standardOutput.write(Data("tacho: serving http://127.0.0.1:\(port)/ (data \(dataDirectory), example service)\n".utf8))
}
workload.cancel()
flushing.cancel()
_ = await flushing.value

func argument(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
