import EventStore
import Logging
import Synchronization
import Testing
@testable import Server

/// `/proc` as fixture text, advancing to the next `/proc/stat` on each read of it.
final class FixtureProcSource: ProcSource {
    private let stats: Mutex<[String]>
    let files: [String: String]
    let ticksPerSecond = 100
    let pageSizeBytes = 4096

    init(stats: [String], files: [String: String]) {
        self.stats = Mutex(stats)
        self.files = files
    }

    func read(_ path: String) throws(ProcReadError) -> String {
        if path == "/proc/stat" {
            guard let next = stats.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { throw ProcReadError(path: path, errno: 2) }
            return next
        }
        guard let text = files[path] else { throw ProcReadError(path: path, errno: 2) }
        return text
    }
}

@Suite struct HostCollectorTests {
    static let files = [
        "/proc/meminfo": "MemTotal: 1000 kB\nMemAvailable: 600 kB\nBuffers: 10 kB\nCached: 200 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n",
        "/proc/loadavg": "0.5 0.25 0.125 1/100 42\n",
        "/proc/self/stat": "42 (tacho) S 1 1 1 0 -1 0 0 0 0 0 30 20 0 0 20 0 1 0 1 1 1\n",
        "/proc/self/statm": "100 50 10 1 0 20 0\n",
    ]

    private func value(_ events: [Event], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        for event in events {
            if case .metric(let sample) = event.body, sample.series == SeriesKey(name: name, labels: Labels(labels)) { return sample.value }
        }
        return nil
    }

    @Test func sampler_firstSample_hasNoCPUPercent_secondHasTotalAndCores() {
        let source = FixtureProcSource(stats: [HostParsersTests.stat1, HostParsersTests.stat2], files: Self.files)
        var sampler = HostVitalsSampler()
        let first = sampler.sample(from: source, timeNs: 1)
        #expect(value(first.events, "cpu_percent", ["core": "total"]) == nil)
        #expect(value(first.events, "memory_bytes", ["kind": "used"]) == 400.0 * 1024)
        #expect(value(first.events, "memory_bytes", ["kind": "swap_used"]) == 0)
        #expect(value(first.events, "load_average", ["period": "15m"]) == 0.125)
        #expect(value(first.events, "process_cpu_seconds_total") == 0.5)
        #expect(value(first.events, "process_resident_memory_bytes") == 50.0 * 4096)
        #expect(first.failures.isEmpty)
        let second = sampler.sample(from: source, timeNs: 2)
        #expect(value(second.events, "cpu_percent", ["core": "total"]) == 50)
        #expect(value(second.events, "cpu_percent", ["core": "1"]) == 40)
        #expect(second.events.allSatisfy { $0.timeNs == 2 })
    }

    @Test func sampler_withoutProc_reportsFailuresAndNoEvents() {
        let source = FixtureProcSource(stats: [], files: [:])
        var sampler = HostVitalsSampler()
        let sample = sampler.sample(from: source, timeNs: 1)
        #expect(sample.events.isEmpty)
        #expect(sample.failures.count == 4)
    }

    @Test func service_handsEachIntervalsEventsToTheSink_untilCancelled() async throws {
        let source = FixtureProcSource(stats: Array(repeating: HostParsersTests.stat1, count: 1) + [HostParsersTests.stat2], files: Self.files)
        let batches = Mutex<[[Event]]>([])
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let collector = HostCollector(
            interval: .milliseconds(1), clock: ContinuousClock(), source: source, logger: Logger(label: "test"),
            nowNs: { 7 },
            sink: { events in
                let count = batches.withLock { $0.append(events); return $0.count }
                continuation.yield(count)
            })
        let task = Task { try await collector.run() }
        for await count in stream where count == 3 { break }
        task.cancel()
        _ = try? await task.value
        let received = batches.withLock { $0 }
        #expect(received.count >= 3)
        #expect(value(received[1], "cpu_percent", ["core": "total"]) == 50)
        // The third read of /proc/stat fails; the other files are still sampled.
        #expect(value(received[2], "cpu_percent", ["core": "total"]) == nil)
        #expect(value(received[2], "memory_bytes", ["kind": "total"]) == 1024.0 * 1000)
    }
}
