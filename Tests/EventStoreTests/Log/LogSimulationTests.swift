import Testing
import TestSupport
@testable import EventStore

/// The writer driven over a seeded faulty disk (short writes, torn writes, failed
/// fsyncs), then a power loss: everything acknowledged under `fsync always` must be
/// read back, in order, with dense offsets, and nothing else.
@Suite struct LogSimulationTests {
    @Test(arguments: Array(UInt64(1)...UInt64(12)))
    func writer_overAFaultyDisk_thenCrash_keepsExactlyTheAcknowledgedEvents(seed: UInt64) async throws {
        let fs = SimulatedFileSystem(seed: seed)
        let options = LogTest.options { $0.fsync = .always; $0.segmentBytesMax = 1500 }
        let log = try LogTest.open(fs, options)
        fs.faults = .init(shortWriteProbability: 0.2, tornWriteProbability: 0.1, fsyncFailureProbability: 0.1)
        let events = EventGenerators.metrics(count: 200, seed: seed)
        var acknowledged: [Event] = []
        var failures = 0
        for start in stride(from: 0, to: events.count, by: 5) {
            let group = Array(events[start..<(start + 5)])
            do {
                let range = try await log.append(group)
                #expect(range.lowerBound == UInt64(acknowledged.count), "seed \(seed)")
                acknowledged.append(contentsOf: group)
            } catch {
                guard case .appendFailed = error else { Issue.record("seed \(seed): unexpected \(error)"); return }
                failures += 1
            }
        }
        #expect(failures > 0, "seed \(seed): the simulation injected no fault")
        try? await log.close()
        fs.faults = .init()
        fs.crash()
        let reopened = try LogTest.open(fs, options)
        let read = try LogTest.readAll(reopened)
        #expect(read.damage.isEmpty, "seed \(seed)")
        #expect(read.events.map(\.event) == acknowledged, "seed \(seed)")
        #expect(read.events.map(\.offset) == Array(0..<UInt64(acknowledged.count)), "seed \(seed)")
        try await reopened.close()
    }
}
