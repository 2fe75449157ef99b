import Foundation
import Testing
import TestSupport
@testable import EventStore

@Suite struct LogWriterTests {
    @Test func append_assignsDenseOffsetsFromZero_andReadsBackTheSameEvents() async throws {
        let fs = SimulatedFileSystem(seed: 1)
        let log = try LogTest.open(fs)
        let events = EventGenerators.metrics(count: 250)
        let first = try await log.append(Array(events[0..<100]))
        let second = try await log.append(Array(events[100...]))
        #expect(first == 0...99)
        #expect(second == 100...249)
        #expect(log.highWaterMark == 250)
        let read = try LogTest.readAll(log)
        #expect(read.events.map(\.event) == events)
        #expect(read.events.map(\.offset) == Array(0..<250))
        try await log.close()
    }

    @Test func aBatchAReaderKeeps_isNotChangedByTheReadsAfterIt() async throws {
        // The reader hands out its decode buffer and takes it back when it is let go.
        let fs = SimulatedFileSystem(seed: 1)
        let log = try LogTest.open(fs)
        let events = EventGenerators.metrics(count: 300)
        try await LogTest.appendInBatches(log, events, batchSize: 100)
        let reader = log.reader(from: 0)
        var kept: [LogBatch] = []
        while let batch = try reader.next() { kept.append(batch) }
        #expect(kept.map(\.baseOffset) == [0, 100, 200])
        #expect(kept.flatMap(\.events) == events)
        // A reader let go of each batch: the same events, batch by batch.
        let again = log.reader(from: 50)
        var read: [Event] = []
        while let batch = try again.next() { read += batch.events }
        #expect(read == Array(events[50...]))
    }

    @Test func append_ofAnEventOutsideTheDomain_isRefusedWhole_andWritesNothing() async throws {
        let fs = SimulatedFileSystem(seed: 1)
        let log = try LogTest.open(fs)
        let good = EventGenerators.metrics(count: 3)
        let bad = Event(timeNs: 1, body: .connection(ConnectionReport(connection: "c", monitors: [], load: 1, tps: -1, parseRate: 1, latencyMs: 0)))
        await #expect(throws: LogError.invalidArgument(
            "event 3 of 4 (connection) is outside what the log holds: tps: -1.0 is out of range 0.0…1.7976931348623157e+308")
        ) {
            try await log.append(good + [bad])
        }
        #expect(log.highWaterMark == 0)
        #expect(try await log.append(good) == 0...2)
        #expect(try LogTest.readAll(log).events.map(\.event) == good)
        try await log.close()
    }

    @Test func append_ofAMetricWithABadLabelOrValue_isRefusedWhole_naming() async throws {
        let fs = SimulatedFileSystem(seed: 3)
        let log = try LogTest.open(fs)
        let good = EventGenerators.metrics(count: 3)
        let badLabel = Event(timeNs: 1, body: .metric(MetricSample(name: "m", labels: ["": "x"], value: 1)))
        // Swift's `.nan` is not Prometheus's NaN (ingest makes every NaN that one).
        let badValue = Event(timeNs: 1, body: .metric(MetricSample(name: "m", value: .nan)))
        await #expect(throws: LogError.invalidArgument("event 3 of 4 (metric) is outside what the log holds: labels: a label name is empty")) {
            try await log.append(good + [badLabel])
        }
        await #expect(throws: LogError.invalidArgument("event 3 of 4 (metric) is outside what the log holds: value: a NaN other than Prometheus's (0x7ff8000000000001) and its stale marker (0x7ff0000000000002)")) {
            try await log.append(good + [badValue])
        }
        #expect(log.highWaterMark == 0)
        try await log.close()
    }

    @Test func reopen_continuesOffsetsAfterTheLastBatch() async throws {
        let fs = SimulatedFileSystem(seed: 2)
        let events = EventGenerators.metrics(count: 30)
        let log = try LogTest.open(fs)
        _ = try await log.append(Array(events[0..<10]))
        try await log.close()
        let reopened = try LogTest.open(fs)
        #expect(reopened.recovery.truncated == nil)
        #expect(try await reopened.append(Array(events[10...])) == 10...29)
        #expect(try LogTest.readAll(reopened).events.map(\.event) == events)
        try await reopened.close()
    }

    @Test func bulkAppend_overTheBatchLimit_isSplitIntoSeveralFrames() async throws {
        let fs = SimulatedFileSystem(seed: 3)
        let log = try LogTest.open(fs, LogTest.options { $0.eventsPerBatchMax = 1000 })
        let events = EventGenerators.metrics(count: 4500)
        #expect(try await log.append(events) == 0...4499)
        #expect(log.segments().last?.batchCount == 5)
        #expect(try LogTest.readAll(log).events.map(\.event) == events)
        try await log.close()
    }

    @Test func roll_bySize_startsNewSegmentsNamedByBaseOffset() async throws {
        let fs = SimulatedFileSystem(seed: 4)
        let log = try LogTest.open(fs, LogTest.options { $0.segmentBytesMax = 600 })
        let events = EventGenerators.metrics(count: 200)
        try await LogTest.appendInBatches(log, events, batchSize: 20)
        let segments = log.segments()
        #expect(segments.count > 2)
        #expect(segments.dropLast().allSatisfy { $0.sealed })
        #expect(segments.last?.sealed == false)
        #expect(segments.map(\.eventCount).reduce(0, +) == 200)
        for (segment, next) in zip(segments, segments.dropFirst()) {
            #expect(segment.endOffset == next.baseOffset)
            #expect(fs.contents(LogTest.segmentPath(next.baseOffset)) != nil)
        }
        #expect(try LogTest.readAll(log).events.map(\.event) == events)
        try await log.close()
        let reopened = try LogTest.open(fs)
        #expect(try LogTest.readAll(reopened).events.map(\.event) == events)
        #expect(reopened.recovery.rebuiltIndexes.isEmpty)
    }

    @Test func roll_byAge_sealsAnOldSegmentAtTheNextAppend() async throws {
        let fs = SimulatedFileSystem(seed: 5)
        let clock = TestClock(nowNs: 1_000)
        let log = try LogTest.open(fs, LogTest.options {
            $0.segmentAgeMaxNs = 1_000_000
            $0.clockNs = { clock.nowNs }
        })
        let events = EventGenerators.metrics(count: 20)
        _ = try await log.append(Array(events[0..<10]))
        #expect(log.segments().count == 1)
        clock.nowNs += 1_000_000
        _ = try await log.append(Array(events[10...]))
        let segments = log.segments()
        #expect(segments.map(\.baseOffset) == [0, 10])
        #expect(segments[0].sealed)
        try await log.close()
    }

    @Test func readers_concurrentWithTheWriter_seeOnlyWholeAcknowledgedBatches() async throws {
        let fs = SimulatedFileSystem(seed: 6)
        let log = try LogTest.open(fs, LogTest.options { $0.segmentBytesMax = 4096 })
        let total = 3000
        let events = (0..<total).map { Event(timeNs: Int64($0), body: .annotation(Annotation(text: "e\($0)", tags: []))) }
        async let writing: Void = LogTest.appendInBatches(log, events, batchSize: 7)
        let reader = log.reader(from: 0)
        var seen = 0
        while seen < total {
            let markBefore = log.highWaterMark
            _ = markBefore
            guard let batch = try reader.next() else {
                await Task.yield()
                continue
            }
            let markAfter = log.highWaterMark
            #expect(batch.endOffset <= markAfter)
            for logged in batch.loggedEvents {
                #expect(logged.offset == UInt64(seen))
                #expect(logged.event.timeNs == Int64(seen))
                seen += 1
            }
        }
        try await writing
        #expect(seen == total)
        try await log.close()
    }

    @Test func diskFull_failsTheAppend_leavesTheLogConsistent_andAppendsResume() async throws {
        let fs = SimulatedFileSystem(seed: 7)
        let log = try LogTest.open(fs)
        let events = EventGenerators.metrics(count: 300)
        _ = try await log.append(Array(events[0..<100]))
        let sizeBefore = fs.contents(LogTest.segmentPath())!.count
        fs.capacityBytes = sizeBefore + 200
        await #expect(throws: LogError.self) { _ = try await log.append(Array(events[100..<200])) }
        do {
            _ = try await log.append(Array(events[100..<200]))
            Issue.record("append succeeded on a full disk")
        } catch {
            guard case .appendFailed(let fsError) = error else { Issue.record("wrong error \(error)"); return }
            #expect(fsError.code == .noSpace)
        }
        #expect(fs.contents(LogTest.segmentPath())!.count == sizeBefore)
        #expect(log.highWaterMark == 100)
        fs.capacityBytes = .max
        #expect(try await log.append(Array(events[100...])) == 100...299)
        try await log.close()
        let reopened = try LogTest.open(fs)
        #expect(reopened.recovery.truncated == nil)
        #expect(try LogTest.readAll(reopened).events.map(\.event) == events)
    }
}

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64
    init(nowNs: Int64) { value = nowNs }
    var nowNs: Int64 {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
