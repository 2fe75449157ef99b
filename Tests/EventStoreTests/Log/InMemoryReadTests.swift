import Testing
import TestSupport
@testable import EventStore

/// A scan whose batches are all in the decoded-sample cache answers without opening a
/// segment file (a selective query's common case: no open, size check and close per
/// segment and query), and one with a batch not in memory still reads the file.
@Suite struct InMemoryReadTests {
    @Test func aScanOfBatchesAllInMemory_opensNoSegment_andANewBatchIsReadFromItsFile() async throws {
        let files = CountingFileSystem(SimulatedFileSystem(seed: 15))
        let log = try EventLog.open(directory: LogTest.directory, options: LogTest.options { $0.segmentBytesMax = 4 * 1024 }, fileSystem: files)
        for batch in SeriesIndexTests.scrapes(count: 200) { _ = try await log.append(batch) }
        await log.waitForMaintenance()
        #expect(log.segments().count >= 4, "sealed segments and the open one")
        let wants = SeriesIndexTests.target("t3")

        let expected = try SeriesIndexTests.expected(log, fromNs: .min, toNs: .max, wants: wants)
        let beforeFirst = files.segmentOpens
        let (first, fromFiles) = try SeriesIndexTests.scanned(log, fromNs: .min, toNs: .max, wants: wants)
        #expect(first == expected && fromFiles.batchesFromMemory == 0)
        #expect(files.segmentOpens > beforeFirst, "the first scan reads the segments")

        let opened = files.segmentOpens
        let (second, fromMemory) = try SeriesIndexTests.scanned(log, fromNs: .min, toNs: .max, wants: wants)
        #expect(second == expected)
        #expect(fromMemory.batchesRead == 40 && fromMemory.batchesFromMemory == 40, "\(fromMemory)")
        #expect(files.segmentOpens == opened, "no segment opened by a scan from memory")

        // A new batch of t3 in the open segment: that segment is opened for it, and
        // the scan answers every sample once.
        _ = try await log.append(SeriesIndexTests.scrapes(count: 1, from: 203)[0])
        let (third, mixed) = try SeriesIndexTests.scanned(log, fromNs: .min, toNs: .max, wants: wants)
        #expect(third == (try SeriesIndexTests.expected(log, fromNs: .min, toNs: .max, wants: wants)))
        #expect(third.values.reduce(0) { $0 + $1.count } == expected.values.reduce(0) { $0 + $1.count } + 3)
        #expect(mixed.batchesRead == 41 && mixed.batchesFromMemory == 40, "\(mixed)")
        #expect(files.segmentOpens > opened)
        try await log.close()
    }
}
