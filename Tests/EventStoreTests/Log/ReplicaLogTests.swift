import Foundation
import Testing
import TestSupport
@testable import EventStore

/// What replication needs from the log: frames as stored, appends at a leader's
/// offsets, and waiting for the high-water mark.
@Suite struct ReplicaLogTests {
    @Test func nextFrame_returnsTheStoredBytes_whichDecodeToTheEventsAtTheirOffsets() async throws {
        let fs = SimulatedFileSystem(seed: 11)
        let log = try LogTest.open(fs)
        let events = EventGenerators.metrics(count: 300)
        try await LogTest.appendInBatches(log, events, batchSize: 70)
        let reader = log.reader(from: 0)
        var frames: [LogFrame] = []
        while let frame = try reader.nextFrame() { frames.append(frame) }
        #expect(frames.map(\.baseOffset) == [0, 70, 140, 210, 280])
        let segment = try #require(fs.contents(LogTest.segmentPath()))
        let stored = Array(segment[SegmentHeader.sizeBytes...])
        #expect(frames.flatMap(\.bytes) == stored, "frames are the segment's bytes, not re-encoded")
        let shipped = try LogFrame.frames(in: frames.flatMap(\.bytes), source: "test")
        #expect(shipped == frames)
        let decoded = try shipped.flatMap { try $0.decode(source: "test").loggedEvents }
        #expect(try decoded == LogTest.readAll(log).events)
        try await log.close()
    }

    @Test func frames_refuseABitFlip_namingWhere() throws {
        var bytes = LogFrame.encode(LogBatch(baseOffset: 5, events: EventGenerators.metrics(count: 20)), frameBytesMax: 1 << 20)!.flatMap(\.bytes)
        bytes[BatchFrameHeader.sizeBytes + 3] ^= 0x10
        #expect(throws: CorruptionError.self) { try LogFrame.frames(in: bytes, source: "stream message 7") }
        #expect(throws: CorruptionError.self) { try LogFrame.frames(in: Array(bytes.dropLast()), source: "stream message 7") }
    }

    @Test func encode_splitsUnderAByteLimit_keepingOffsetsAndEvents() throws {
        let events = EventGenerators.metrics(count: 2000)
        let batch = LogBatch(baseOffset: 1000, events: events)
        let whole = try #require(LogFrame.encode(batch, frameBytesMax: 1 << 20))
        let limit = whole.map(\.bytes.count).reduce(0, +) / 3
        let frames = try #require(LogFrame.encode(batch, frameBytesMax: limit))
        #expect(frames.count >= 3)
        #expect(frames.allSatisfy { $0.bytes.count <= limit })
        #expect(frames.first?.baseOffset == 1000)
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.endOffset == $1.baseOffset }, "contiguous")
        #expect(try frames.flatMap { try $0.decode(source: "test").events } == events)
    }

    @Test func appendReplicated_atAnotherOffset_isRefusedWhole_andWritesNothing() async throws {
        let fs = SimulatedFileSystem(seed: 12)
        let log = try LogTest.open(fs)
        let events = EventGenerators.metrics(count: 40)
        #expect(try await log.appendReplicated(LogBatch(baseOffset: 0, events: Array(events[0..<20]))) == 0...19)
        await #expect(throws: LogError.offsetMismatch(expected: 25, next: 20)) {
            try await log.appendReplicated(LogBatch(baseOffset: 25, events: Array(events[20...])))
        }
        await #expect(throws: LogError.offsetMismatch(expected: 10, next: 20)) {
            try await log.appendReplicated(LogBatch(baseOffset: 10, events: Array(events[20...])))
        }
        #expect(log.highWaterMark == 20)
        #expect(try await log.appendReplicated(LogBatch(baseOffset: 20, events: Array(events[20...]))) == 20...39)
        #expect(try LogTest.readAll(log).events.map(\.event) == events)
        try await log.close()
    }

    @Test func appendReplicated_onAnEmptyLog_startsItAtTheLeadersOffset_whichSurvivesReopening() async throws {
        let fs = SimulatedFileSystem(seed: 13)
        let log = try LogTest.open(fs)
        let events = EventGenerators.metrics(count: 30)
        #expect(try await log.appendReplicated(LogBatch(baseOffset: 5000, events: Array(events[0..<10]))) == 5000...5009)
        #expect(log.segments().map(\.baseOffset) == [5000])
        #expect(try LogTest.readAll(log).events.map(\.offset) == Array(5000..<5010))
        try await log.close()
        let reopened = try LogTest.open(fs)
        #expect(reopened.highWaterMark == 5010)
        #expect(try await reopened.appendReplicated(LogBatch(baseOffset: 5010, events: Array(events[10...]))) == 5010...5029)
        #expect(try LogTest.readAll(reopened).events.map(\.event) == events)
        try await reopened.close()
    }

    @Test func appendReplicated_withTheLeadersFrames_storesThemByteForByte() async throws {
        let leaderFS = SimulatedFileSystem(seed: 15)
        let leader = try LogTest.open(leaderFS)
        try await LogTest.appendInBatches(leader, EventGenerators.metrics(count: 120), batchSize: 40)
        let reader = leader.reader(from: 0)
        var frames: [LogFrame] = []
        while let frame = try reader.nextFrame() { frames.append(frame) }
        let followerFS = SimulatedFileSystem(seed: 16)
        let follower = try LogTest.open(followerFS)
        let events = try frames.flatMap { try $0.decode(source: "test").events }
        #expect(try await follower.appendReplicated(LogBatch(baseOffset: 0, events: events), frames: frames) == 0...119)
        // Past the segment headers (each holds its own creation time): the same bytes.
        let followerBatches = try #require(followerFS.contents(LogTest.segmentPath())).dropFirst(SegmentHeader.sizeBytes)
        let leaderBatches = try #require(leaderFS.contents(LogTest.segmentPath())).dropFirst(SegmentHeader.sizeBytes)
        #expect(followerBatches == leaderBatches, "the same batch bytes on both nodes")
        #expect(try LogTest.readAll(follower).events == LogTest.readAll(leader).events)
        await #expect(throws: LogError.self) {
            try await follower.appendReplicated(LogBatch(baseOffset: 120, events: Array(events[0..<40])), frames: [frames[1]])
        }
        #expect(follower.highWaterMark == 120)
        try await leader.close()
        try await follower.close()
    }

    @Test func waitUntilReadable_returnsOnceTheEventIsAppended() async throws {
        let fs = SimulatedFileSystem(seed: 14)
        let log = try LogTest.open(fs)
        async let waited: Void = log.waitUntilReadable(2)
        _ = try await log.append(EventGenerators.metrics(count: 2))
        #expect(log.highWaterMark == 2)
        _ = try await log.append(EventGenerators.metrics(count: 1))
        await waited
        #expect(log.highWaterMark >= 3)
        try await log.close()
    }

    @Test func offsetWatch_timesOut_resumesOnAdvance_andOnCancellation() async {
        let watch = OffsetWatch(10)
        #expect(await watch.wait(above: 10, timeout: .milliseconds(20)) == false)
        async let passed = watch.wait(above: 12, timeout: .seconds(30))
        watch.advance(to: 11)
        watch.advance(to: 13)
        #expect(await passed)
        let waiting = Task { await watch.wait(above: 100) }
        waiting.cancel()
        await waiting.value
        watch.close()
        await watch.wait(above: 1000)
        #expect(watch.value == 13)
    }
}
