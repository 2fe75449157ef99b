import EventStore
import Foundation
import ServiceLifecycle
import Testing
@testable import Server

@Suite struct StatsDTests {
    @Test func lines_parse_withRatesTagsAndDeltas() throws {
        #expect(try StatsDLine.parse("jobs:3|c|@0.5|#env:prod,canary") == StatsDLine(
            name: "jobs", value: 3, kind: .counter, sampleRate: 0.5, tags: [("env", "prod"), ("canary", "true")]))
        #expect(try StatsDLine.parse("depth:-2|g").kind == .gauge(delta: true))
        #expect(try StatsDLine.parse("depth:7|g").kind == .gauge(delta: false))
        #expect(try StatsDLine.parse("db.query:12.5|ms").kind == .timer)
        #expect(try StatsDLine.parse("size:3|d|#a:b|c:container|T1700000000").kind == .histogram)
        #expect(try StatsDLine.parse("users:alice|s").kind == .set(member: "alice"))
        for bad in ["nocolon", ":1|c", "x:1", "x:1|q", "x:abc|c", "x:1|c|@2", "x:1|c|@0", "x:-1|ms", "x:1|c|bogus", "x:|s"] {
            #expect(throws: StatsDLineError.self, "\(bad)") { try StatsDLine.parse(Substring(bad)) }
        }
    }

    @Test func aggregator_countersAccumulate_gaugesDelta_histogramsAndSetsPerInterval() throws {
        var aggregator = StatsDAggregator()
        for line in ["hits:1|c", "hits:2|c|@0.5", "depth:10|g", "depth:-3|g", "size:4|h", "size:2|h", "u:a|s", "u:b|s", "u:a|s", "q:5|ms"] {
            #expect(aggregator.add(try StatsDLine.parse(Substring(line))))
        }
        let first = aggregator.flush(timeNs: 1_000)
        #expect(first.refused == 0)
        let samples = Dictionary(uniqueKeysWithValues: metricSamples(first.events).map { ($0.name, ($0.value, $0.kind)) })
        #expect(samples["hits"]! == (5, .counter))
        #expect(samples["depth"]! == (7, .gauge))
        #expect(samples["size_count"]! == (2, .counter) && samples["size_sum"]! == (6, .counter))
        #expect(samples["size_min"]!.0 == 2 && samples["size_max"]!.0 == 4)
        #expect(samples["u"]! == (2, .gauge))
        #expect(first.events.contains { $0.body == .op(Operation(name: "q", protocol: "statsd", durationMs: 5, ok: true)) && $0.timeNs == 1_000 })
        _ = aggregator.add(try StatsDLine.parse("hits:1|c"))
        _ = aggregator.add(try StatsDLine.parse("depth:+1|g"))
        let second = metricSamples(aggregator.flush(timeNs: 2_000).events)
        // Only what arrived in the interval is written; counters stay cumulative.
        #expect(second.map(\.name) == ["hits", "depth"] && second.map(\.value) == [6, 8])
        #expect(aggregator.flush(timeNs: 3_000).events.isEmpty)
    }

    /// Found by `tools/fuzz statsd`: two `1e308` counter increments summed to +infinity,
    /// which was stored and then trapped the JSON writer of every read path (events API,
    /// SSE, export). A line that would make a total infinite is now dropped and counted.
    @Test func aggregator_dropsLinesThatWouldMakeATotalInfinite() throws {
        var aggregator = StatsDAggregator()
        for line in ["c:1e308|c", "g:1e308|g", "h:1e308|h"] {
            #expect(aggregator.add(try StatsDLine.parse(Substring(line))), "\(line)")
        }
        for line in ["c:1e308|c", "g:+1e308|g", "h:1e308|h", "rate:1|c|@1e-320", "hrate:1|h|@1e-320"] {
            #expect(!aggregator.add(try StatsDLine.parse(Substring(line))), "\(line)")
        }
        let flushed = aggregator.flush(timeNs: 1_000)
        let samples = Dictionary(uniqueKeysWithValues: metricSamples(flushed.events).map { ($0.name, $0.value) })
        #expect(samples["c"] == 1e308 && samples["g"] == 1e308 && samples["h_sum"] == 1e308 && samples["h_count"] == 1)
        #expect(samples["rate"] == nil && samples["hrate_count"] == nil)
        #expect(flushed.events.allSatisfy { !EventJSONEncoder().encode($0).isEmpty })
    }

    /// The PyPI `statsd` client (and DogStatsD-tagged lines from a raw socket) over real
    /// UDP on loopback. Skips with a message when python3 or the package is missing.
    @Test func pythonStatsdClient_overUDP_arrivesAsEvents_malformedCounted() async throws {
        guard let python = ExternalProgram.find("python3") else {
            print("SKIP pythonStatsdClient: no python3 on PATH")
            return
        }
        let work = try TemporaryDirectory("statsd")
        defer { work.remove() }
        let check = try ExternalProgram(python, ["-c", "import statsd"], outputPath: work.path + "/check.log")
        check.process.waitUntilExit()
        guard check.process.terminationStatus == 0 else {
            print("SKIP pythonStatsdClient: python3 has no statsd package (python3 -m pip install statsd; tools/test installs it)")
            return
        }
        let log = RecordingLog()
        let metrics = EngineMetrics()
        let pipeline = IngestPipeline(append: { try await log.append($0) }, bodyBytesMax: 1 << 20, token: nil, metrics: metrics, nowNs: { 42 })
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = StatsDServer(
            host: "127.0.0.1", port: 0, flushInterval: .milliseconds(100), pipeline: pipeline, clock: ContinuousClock(),
            logger: .init(label: "statsd-test"), onBound: { continuation.yield($0) })
        let group = ServiceGroup(services: [server], logger: .init(label: "statsd-test"))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let script = """
            import socket, statsd
            client = statsd.StatsClient('127.0.0.1', \(port))
            client.incr('jobs', 3)
            client.incr('jobs')
            client.gauge('depth', 10)
            client.gauge('depth', -4, delta=True)
            client.timing('db.query', 12.5)
            client.set('users', 'alice')
            raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            raw.sendto(b'requests:2|c|#env:prod,region:eu\\nthis is not statsd\\nlatency:7|h|@0.5', ('127.0.0.1', \(port)))
            print('sent', flush=True)
            """
        let sender = try ExternalProgram(python, ["-c", script], outputPath: work.path + "/sender.log")
        sender.process.waitUntilExit()
        let arrived = await poll(timeout: .seconds(20)) {
            let names = Set(metricSamples(await log.events).map(\.name))
            return names.isSuperset(of: ["jobs", "depth", "users", "requests", "latency_count"]) && metrics.formats.counts(.statsd).skipped[.malformedLine] == 1
        }
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(sender.process.terminationStatus == 0, "\(sender.output)")
        #expect(arrived)
        let events = await log.events
        let samples = metricSamples(events)
        #expect(samples.last { $0.name == "jobs" }.map { ($0.value, $0.kind) }! == (4, .counter))
        #expect(samples.last { $0.name == "depth" }?.value == 6)
        #expect(samples.last { $0.name == "users" }?.value == 1)
        #expect(samples.last { $0.name == "requests" }?.labels == ["env": "prod", "region": "eu"])
        #expect(samples.last { $0.name == "latency_count" }?.value == 2)
        #expect(events.contains { $0.body == .op(Operation(name: "db.query", protocol: "statsd", durationMs: 12.5, ok: true)) })
        #expect(events.allSatisfy { $0.timeNs == 42 })
    }
}
