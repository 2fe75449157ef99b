import Testing
import TestSupport
@testable import EventStore

@Suite struct RecoveryTests {
    @Test func tornTail_atEveryBytePositionOfTheLastBatch_keepsEveryEarlierBatch_andDropsExactlyThatOne() async throws {
        let fs = SimulatedFileSystem(seed: 11)
        let events = EventGenerators.metrics(count: 40)
        let log = try LogTest.open(fs)
        try await LogTest.appendInBatches(log, events, batchSize: 10)
        let lastStart = Int(LogTest.batchPositions(log).last!)
        try await log.close()
        let whole = fs.contents(LogTest.segmentPath())!
        #expect(lastStart > SegmentHeader.sizeBytes)
        for cut in lastStart..<whole.count {
            fs.setContents(LogTest.segmentPath(), Array(whole[0..<cut]))
            let reopened = try LogTest.open(fs)
            let read = try LogTest.readAll(reopened)
            #expect(read.events.map(\.event) == Array(events[0..<30]), "cut at \(cut)")
            #expect(read.damage.isEmpty, "cut at \(cut)")
            #expect(reopened.recovery.droppedBytes == UInt64(cut - lastStart), "cut at \(cut)")
            #expect((reopened.recovery.truncated != nil) == (cut > lastStart), "cut at \(cut)")
            #expect(reopened.highWaterMark == 30)
            #expect(fs.contents(LogTest.segmentPath())!.count == lastStart)
            #expect(try await reopened.append(Array(events[30...])) == 30...39)
            try await reopened.close()
        }
    }

    @Test func newestSegmentWithOnlyAPartialHeader_isStartedAgain() async throws {
        let fs = SimulatedFileSystem(seed: 12)
        let log = try LogTest.open(fs, LogTest.options { $0.segmentBytesMax = 300 })
        let events = EventGenerators.metrics(count: 60)
        try await LogTest.appendInBatches(log, events, batchSize: 10)
        let newest = log.segments().last!.baseOffset
        try await log.close()
        fs.setContents(LogTest.segmentPath(newest), Array(fs.contents(LogTest.segmentPath(newest))!.prefix(10)))
        let reopened = try LogTest.open(fs)
        #expect(reopened.highWaterMark == newest)
        #expect(try LogTest.readAll(reopened).events.map(\.event) == Array(events[0..<Int(newest)]))
        try await reopened.close()
    }

    @Test func openingADirectoryOfANewerFormat_failsWithAClearError() throws {
        let fs = SimulatedFileSystem(seed: 13)
        fs.setContents(LogTest.directory + "/meta", Array("tacho-data-directory\nformat-version 99\n".utf8))
        #expect(throws: LogError.unsupportedFormatVersion(found: 99, readableMax: LogFormat.version, path: LogTest.directory + "/meta")) {
            _ = try LogTest.open(fs)
        }
    }
}
