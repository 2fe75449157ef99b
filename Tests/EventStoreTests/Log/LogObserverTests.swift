import Synchronization
import Testing
import TestSupport
@testable import EventStore

/// The log tells its observer of every batch it writes, every fsync of a segment and
/// every compaction, from its own threads: the server's `/metrics` counts come from here.
@Suite struct LogObserverTests {
    final class Tally: LogObserver {
        let counts = Mutex((events: 0, batches: 0, bytes: 0, syncs: 0, compactions: 0))
        func wrote(events: Int, batches: Int, bytes: Int) {
            counts.withLock {
                $0.events += events
                $0.batches += batches
                $0.bytes += bytes
            }
        }
        func synced() { counts.withLock { $0.syncs += 1 } }
        func compacted() { counts.withLock { $0.compactions += 1 } }
    }

    @Test func everyBatchWritten_everyFsyncAndCompaction_reachTheObserver_withTheSegmentsOwnFigures() async throws {
        let fs = SimulatedFileSystem(seed: 7)
        let tally = Tally()
        let log = try LogTest.open(fs, LogTest.options {
            $0.fsync = .always
            $0.segmentBytesMax = 20_000
            $0.observer = tally
        })
        let events = EventGenerators.metrics(count: 900)
        try await LogTest.appendInBatches(log, events, batchSize: 3)
        let segments = log.segments()
        let written = tally.counts.withLock { $0 }
        #expect(written.events == 900)
        #expect(written.batches == 300)
        #expect(UInt64(written.bytes) == segments.reduce(0) { $0 + $1.storedBytes } - UInt64(segments.count * SegmentHeader.sizeBytes))
        // One fsync per append under `always`, one more per roll.
        #expect(written.syncs == 300 + segments.count - 1)
        #expect(try await log.compactSegment(baseOffset: segments[0].baseOffset))
        #expect(tally.counts.withLock { $0.compactions } == 1)
        try await log.close()
        #expect(tally.counts.withLock { $0.syncs } == written.syncs + 1)
    }
}
