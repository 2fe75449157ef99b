import Testing
import TestSupport
@testable import EventStore

@Suite struct SegmentMaintenanceTests {
    @Test func compaction_keepsEventsAndOffsets_shrinksTheSegment_andAnOpenReaderIsUnaffected() async throws {
        let fs = SimulatedFileSystem(seed: 31)
        let log = try LogTest.open(fs, LogTest.options { $0.segmentBytesMax = 20_000 })
        let events = EventGenerators.metrics(count: 2000)
        try await LogTest.appendInBatches(log, events, batchSize: 3)
        let before = try LogTest.readAll(log).events
        let sealed = log.segments().first!
        #expect(sealed.sealed)
        let openReader = log.reader(from: 0)
        let firstBatch = try #require(try openReader.next())
        #expect(try await log.compactSegment(baseOffset: sealed.baseOffset))
        let after = log.segments().first!
        #expect(after.eventCount == sealed.eventCount)
        #expect(after.batchCount < sealed.batchCount)
        #expect(after.storedBytes < sealed.storedBytes / 2)
        #expect(try LogTest.readAll(log).events == before)
        var continued = firstBatch.loggedEvents
        while let batch = try openReader.next() { continued.append(contentsOf: batch.loggedEvents) }
        #expect(continued == before)
        #expect(try log.verify().isEmpty)
        #expect(try await log.compactSegment(baseOffset: sealed.baseOffset) == false)
        try await log.close()
        let reopened = try LogTest.open(fs)
        #expect(try LogTest.readAll(reopened).events == before)
        #expect(reopened.recovery.rebuiltIndexes.isEmpty)
    }

    @Test func compactOnSeal_runsInTheBackground() async throws {
        let fs = SimulatedFileSystem(seed: 32)
        let log = try LogTest.open(fs, LogTest.options { $0.segmentBytesMax = 20_000; $0.compactOnSeal = true })
        let events = EventGenerators.metrics(count: 1500)
        try await LogTest.appendInBatches(log, events, batchSize: 3)
        await log.waitForMaintenance()
        #expect(log.state.allSegments.dropLast().allSatisfy { $0.compacted })
        #expect(try LogTest.readAll(log).events.map(\.event) == events)
        try await log.close()
    }

    @Test func retention_byAge_deletesOldSealedSegments_neverTheActiveOne() async throws {
        let fs = SimulatedFileSystem(seed: 33)
        let events = EventGenerators.metrics(count: 200, seriesCount: 1)
        let startNs = events[0].timeNs
        // Retention measures from the newest event time capped at the clock plus the
        // tolerance: with the clock at the events' start and no tolerance, retention after
        // each roll deletes nothing yet.
        let log = try LogTest.open(fs, LogTest.options {
            $0.segmentBytesMax = 200
            $0.retentionAgeNs = 100 * 1_000_000_000
            $0.clockNs = { startNs }
            $0.retentionFutureToleranceNs = 0
        })
        try await LogTest.appendInBatches(log, events, batchSize: 20)
        let segments = log.segments()
        try #require(segments.count >= 4)
        let cutoff = segments[1].maxTimeNs! + 1 + 100 * 1_000_000_000
        let deleted = try await log.applyRetention(nowNs: cutoff)
        let expected = [segments[0].baseOffset, segments[1].baseOffset]
        #expect(deleted == expected)
        for base in deleted { #expect(fs.contents(LogTest.segmentPath(base)) == nil) }
        let everything = try await log.applyRetention(nowNs: .max)
        #expect(log.segments().count == 1)
        #expect(everything.count == segments.count - 1 - expected.count)
        let remaining = try LogTest.readAll(log).events
        #expect(remaining.first?.offset == log.segments()[0].baseOffset)
        try await log.close()
    }

    @Test func retention_measuresAgeBackFromTheNewestEventTime_notFromTheWallClock() async throws {
        let fs = SimulatedFileSystem(seed: 34)
        // 400 s of events from 2023, on a clock years later: an archived recording.
        let events = EventGenerators.metrics(count: 400, seriesCount: 1)
        let retentionNs: Int64 = 100 * 1_000_000_000
        let log = try LogTest.open(fs, LogTest.options {
            $0.segmentBytesMax = 200
            $0.retentionAgeNs = retentionNs
            $0.clockNs = { 1_800_000_000_000_000_000 }
        })
        try await LogTest.appendInBatches(log, events, batchSize: 20)
        await log.waitForMaintenance()
        // Retention runs at each roll; the appends after the last roll moved the newest
        // time on, so apply it once more, measured from the newest event time.
        _ = try await log.applyRetention()
        let kept = log.segments()
        let newest = events.last!.timeNs
        // Measured from the wall clock, every sealed segment would be gone.
        #expect(kept.count > 2, "the last 100 s of the recording stay")
        #expect(kept.dropLast().allSatisfy { ($0.maxTimeNs ?? .max) >= newest - retentionNs })
        #expect(kept.first.map { ($0.minTimeNs ?? .max) <= newest - retentionNs + 20 * 1_000_000_000 } == true, "and only what is older went")
        #expect(log.newestEventTimeNs == newest)
        // Applying it again without new events deletes nothing more.
        #expect(try await log.applyRetention().isEmpty)
        try await log.close()
    }

    @Test func retention_bySize_keepsTheNewestSegmentsWithTheirIndexesWithinTheLimit() async throws {
        let fs = SimulatedFileSystem(seed: 34)
        let log = try LogTest.open(fs, LogTest.options { $0.segmentBytesMax = 600; $0.retentionBytesMax = 2000 })
        try await LogTest.appendInBatches(log, EventGenerators.metrics(count: 300), batchSize: 20)
        await log.waitForMaintenance()
        try await log.applyRetention()
        let logPath = LogTest.directory + "/log"
        let files = try fs.list(directory: logPath)
        #expect(files.contains { $0.hasSuffix(".sidx") }, "the sealed segments have series indexes")
        // Every file of the log counts: segments, sparse indexes and series indexes.
        let total = files.map { fs.contents(logPath + "/" + $0)?.count ?? 0 }.reduce(0, +)
        #expect(total <= 2000)
        #expect(log.segments().map(\.storedBytes).reduce(0, +) < total)
        #expect(log.segments().count >= 1)
        let read = try LogTest.readAll(log).events
        #expect(read.last?.offset == 299)
        try await log.close()
    }

    @Test func index_missingOrDamaged_isRebuilt_andReadsFromOffsetAndTimeStillWork() async throws {
        let fs = SimulatedFileSystem(seed: 35)
        let events = EventGenerators.metrics(count: 400, seriesCount: 4)
        let log = try LogTest.open(fs, LogTest.options { $0.segmentBytesMax = 2000 })
        try await LogTest.appendInBatches(log, events, batchSize: 10)
        let bases = log.segments().map(\.baseOffset)
        try await log.close()
        #expect(bases.count >= 3)
        let indexPath = { (base: UInt64) in LogTest.directory + "/log/" + LogFormat.indexFileName(baseOffset: base) }
        try fs.remove(indexPath(bases[0]))
        var damaged = fs.contents(indexPath(bases[1]))!
        damaged[damaged.count / 2] ^= 0xFF
        fs.setContents(indexPath(bases[1]), damaged)
        let reopened = try LogTest.open(fs)
        #expect(reopened.recovery.rebuiltIndexes == [bases[0], bases[1]])
        #expect(fs.contents(indexPath(bases[0])) != nil)
        let fromOffset = try LogTest.readAll(reopened, from: 137).events
        #expect(fromOffset.map(\.offset) == Array(137..<400))
        #expect(fromOffset.map(\.event) == Array(events[137...]))
        let timeNs = events[250].timeNs
        let reader = reopened.reader(fromTimeNs: timeNs)
        var fromTime: [LoggedEvent] = []
        while let batch = try reader.next() { fromTime.append(contentsOf: batch.loggedEvents) }
        let firstAtTime = events.firstIndex { $0.timeNs >= timeNs }!
        #expect(fromTime.first?.offset == UInt64(firstAtTime))
        #expect(fromTime.map(\.event) == Array(events[firstAtTime...]))
        try await reopened.close()
    }
}
