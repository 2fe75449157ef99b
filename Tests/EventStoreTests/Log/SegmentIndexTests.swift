import Synchronization
import Testing
import TestSupport
@testable import EventStore

/// The sparse index's time bounds, and the read "as of T" that passes over the stretches
/// of a segment holding only newer events without reading them.
@Suite struct SegmentIndexTests {
    static func header(base: UInt64, minNs: Int64, maxNs: Int64) -> BatchFrameHeader {
        BatchFrameHeader(totalLength: 100, baseOffset: base, eventCount: 1, minTimeNs: minNs, maxTimeNs: maxNs, compression: .lz4, uncompressedSize: 52)
    }

    /// Batches at positions 16, 116, …: times 10, 20, 5 (a late one), 40, 50.
    static func index() -> SegmentIndex {
        var index = SegmentIndex(baseOffset: 0, intervalBytes: 1)
        for (number, timeNs) in [Int64(10), 20, 5, 40, 50].enumerated() {
            index.add(header(base: UInt64(number), minNs: timeNs, maxNs: timeNs), at: 16 + UInt64(number) * 100)
        }
        return index
    }

    @Test func positionPastWhichEveryEventIsNewer_startsTheTrailingStretchesNewerThanT() {
        let index = Self.index()
        #expect(index.positionPastWhichEveryEvent(isNewerThan: 4) == 16, "every batch is newer than 4")
        #expect(index.positionPastWhichEveryEvent(isNewerThan: 5) == 316, "the late batch at 216 holds 5")
        #expect(index.positionPastWhichEveryEvent(isNewerThan: 39) == 316)
        #expect(index.positionPastWhichEveryEvent(isNewerThan: 40) == 416)
        #expect(index.positionPastWhichEveryEvent(isNewerThan: 50) == nil, "the last batch holds 50")
        #expect(SegmentIndex(baseOffset: 0).positionPastWhichEveryEvent(isNewerThan: 0) == nil, "no batch")
    }

    @Test func stretchTimes_surviveTheFile_andAVersion1IndexReadsAsUnknown() throws {
        let index = Self.index()
        let bytes = index.encoded()
        let decoded = try #require(SegmentIndex.decode(bytes, baseOffset: 0))
        #expect(decoded.entries == index.entries && decoded.lastStretchMinTimeNs == index.lastStretchMinTimeNs)
        #expect(decoded.summary == index.summary && decoded.segmentSizeBytes == index.segmentSizeBytes)
        #expect(decoded.positionPastWhichEveryEvent(isNewerThan: 5) == 316)

        // The same index as version 1 wrote it: 24-byte entries without stretch times.
        var version1 = Array(bytes[0..<SegmentIndex.headerSizeBytes])
        version1[4] = 1
        version1[5] = 0
        for number in index.entries.indices {
            let at = SegmentIndex.headerSizeBytes + number * SegmentIndex.entrySizeBytes
            version1 += bytes[at..<(at + SegmentIndex.entrySizeBytesV1)]
        }
        let crc = version1.withUnsafeBytes { CRC32C.checksum(0, $0) }
        ByteIO.put(crc, &version1)
        let old = try #require(SegmentIndex.decode(version1, baseOffset: 0), "a version-1 index stays readable")
        #expect(old.entries.map(\.position) == index.entries.map(\.position))
        #expect(old.summary == index.summary)
        #expect(old.positionPastWhichEveryEvent(isNewerThan: 4) == nil, "unknown stretch times skip nothing")
    }

    @Test func readAsOfT_passesOverNewerStretchesUnread_andReturnsWhatAFullReadFiltersTo() async throws {
        let fs = SimulatedFileSystem(seed: 3)
        let counting = CountingFileSystem(fs)
        let options = LogTest.options { $0.segmentBytesMax = 8 * 1024 }
        var events = EventGenerators.metrics(count: 4_000, seed: 5, seriesCount: 4)
        // A late event far into the log: its batch must still be read.
        let startNs = events[0].timeNs
        events[3_100] = Event(timeNs: startNs + 7_000_000_000, body: .metric(MetricSample(name: "late", value: 1)))
        let log = try EventLog.open(directory: LogTest.directory, options: options, fileSystem: fs)
        try await LogTest.appendInBatches(log, events, batchSize: 40)
        try await log.close()

        // Reopened: the sealed segments' indexes come from their files.
        let reopened = try EventLog.open(directory: LogTest.directory, options: options, fileSystem: counting)
        #expect(reopened.segments().count >= 3)
        let timeNs = startNs + 250 * 1_000_000_000
        func read(atMost: Int64?) throws -> (events: [LoggedEvent], bytes: Int) {
            counting.resetBytesRead()
            let reader = reopened.reader(from: 0)
            // Reads smaller than a segment, as the 1 MiB default is beside 64 MiB segments.
            reader.readAheadBytes = 1024
            reader.eventTimeAtMost = atMost
            var read: [LoggedEvent] = []
            while let batch = try reader.next() { read += batch.loggedEvents }
            return (read, counting.bytesRead)
        }
        let full = try read(atMost: nil)
        let asOfT = try read(atMost: timeNs)
        #expect(asOfT.events.filter { $0.event.timeNs <= timeNs } == full.events.filter { $0.event.timeNs <= timeNs })
        #expect(asOfT.events.contains { $0.offset == 3_100 }, "the late event's batch is read")
        #expect(asOfT.bytes * 2 < full.bytes, "read \(asOfT.bytes) of \(full.bytes) bytes as of T")
        try await reopened.close()
    }
}

/// Counts the bytes read through it (the reads a reader makes) and the segment files opened.
final class CountingFileSystem: LogFileSystem, @unchecked Sendable {
    private let base: any LogFileSystem
    private let counter = Counter()

    final class Counter: Sendable {
        let bytes = Atomic<Int>(0)
        let segmentOpens = Atomic<Int>(0)
    }

    final class File: LogFile {
        let base: any LogFile
        let counter: Counter
        init(_ base: any LogFile, _ counter: Counter) {
            self.base = base
            self.counter = counter
        }
        func read(at position: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int {
            let count = try base.read(at: position, into: buffer)
            counter.bytes.add(count, ordering: .relaxed)
            return count
        }
        func write(_ bytes: UnsafeRawBufferPointer, at position: UInt64) throws(FileSystemError) -> Int { try base.write(bytes, at: position) }
        func sync() throws(FileSystemError) { try base.sync() }
        func truncate(to sizeBytes: UInt64) throws(FileSystemError) { try base.truncate(to: sizeBytes) }
        func sizeBytes() throws(FileSystemError) -> UInt64 { try base.sizeBytes() }
        func close() { base.close() }
    }

    init(_ base: any LogFileSystem) { self.base = base }

    var bytesRead: Int { counter.bytes.load(ordering: .relaxed) }
    func resetBytesRead() { counter.bytes.store(0, ordering: .relaxed) }

    var segmentOpens: Int { counter.segmentOpens.load(ordering: .relaxed) }

    func open(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any LogFile {
        if path.hasSuffix(".seg") { counter.segmentOpens.add(1, ordering: .relaxed) }
        return File(try base.open(path, create: create, truncate: truncate), counter)
    }
    func rename(from: String, to: String) throws(FileSystemError) { try base.rename(from: from, to: to) }
    func remove(_ path: String) throws(FileSystemError) { try base.remove(path) }
    func list(directory: String) throws(FileSystemError) -> [String] { try base.list(directory: directory) }
    func createDirectory(_ path: String) throws(FileSystemError) { try base.createDirectory(path) }
    func exists(_ path: String) -> Bool { base.exists(path) }
    func syncDirectory(_ path: String) throws(FileSystemError) { try base.syncDirectory(path) }
}
