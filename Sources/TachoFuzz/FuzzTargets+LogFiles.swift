@testable import EventStore
import Foundation
import TestSupport

/// The log's own small files: a sealed segment's index and the data directory's `meta`.
/// Both targets put the input beside the format-v1 fixture's segments (two, the first
/// sealed) and require the log to read exactly the fixture's events.
extension FuzzTarget {
    static let fixtureDirectory = "fixtures/format-v1/data"

    /// The fixture's files, as `log/NAME` or `meta`.
    static let fixtureFiles: [(name: String, bytes: [UInt8])] = {
        let log = fixtureDirectory + "/log"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: log)) ?? []).sorted()
        var files: [(name: String, bytes: [UInt8])] = names.compactMap { name in
            FileManager.default.contents(atPath: log + "/" + name).map { ("log/" + name, Array($0)) }
        }
        if let meta = FileManager.default.contents(atPath: fixtureDirectory + "/meta") { files.append(("meta", Array(meta))) }
        precondition(files.contains { $0.name.hasSuffix(".idx") }, "run from the repository's root: \(fixtureDirectory) holds no index")
        return files
    }()

    /// What the fixture holds, read with its own files.
    static let fixtureLogged: [LoggedEvent] = {
        guard let events = loggedEvents(fixtureFileSystem(replacing: nil, with: [])) else { preconditionFailure("the format-v1 fixture does not read") }
        precondition(!events.isEmpty)
        return events
    }()

    static func fixtureFileSystem(replacing name: String?, with bytes: [UInt8]) -> SimulatedFileSystem {
        let fileSystem = SimulatedFileSystem(seed: 1)
        try! fileSystem.createDirectory(dataPath)
        try! fileSystem.createDirectory(dataPath + "/log")
        for file in fixtureFiles where file.name != name { fileSystem.setContents(dataPath + "/" + file.name, file.bytes) }
        if let name { fileSystem.setContents(dataPath + "/" + name, bytes) }
        return fileSystem
    }

    /// Every event the read-only log returns, in order; nil when it does not open or a batch fails.
    static func loggedEvents(_ fileSystem: SimulatedFileSystem) -> [LoggedEvent]? {
        guard let log = try? ReadOnlyEventLog.open(directory: dataPath, fileSystem: fileSystem) else { return nil }
        let reader = log.reader()
        var events: [LoggedEvent] = []
        for _ in 0..<100_000 {
            let next: LogBatch?
            do { next = try reader.next() } catch { return nil }
            guard let batch = next else { return events }
            events += batch.events.enumerated().map { LoggedEvent(offset: batch.baseOffset + UInt64($0.offset), event: $0.element) }
        }
        fatalError("the reader did not reach the end in 100,000 steps")
    }

    /// The input is the first segment's index file without its checksum, which the
    /// target appends: what is exercised is an index the checksum lets through (written
    /// by a faulty build), not one damaged on disk, which the checksum turns away. The
    /// index is derived data: a wrong one may be rebuilt, never change what is read.
    static func segmentIndex(_ bytes: UnsafeRawBufferPointer) {
        var index = Array(bytes)
        let checksum = index.withUnsafeBytes { CRC32C.checksum(0, $0) }
        withUnsafeBytes(of: checksum.littleEndian) { index += $0 }
        // An index the decoder turns away is ignored as a missing one: nothing to check.
        guard SegmentIndex.decode(index, baseOffset: 0) != nil else { return }
        let name = "log/" + LogFormat.indexFileName(baseOffset: 0)
        let fileSystem = fixtureFileSystem(replacing: name, with: index)
        guard loggedEvents(fileSystem) == fixtureLogged else { fatalError("segment-index: an index changed what the log reads") }
        // Seeks go through the index: from any offset, nothing at or after it is lost or changed.
        if let log = try? ReadOnlyEventLog.open(directory: dataPath, fileSystem: fileSystem) {
            for position in [0, fixtureLogged.count / 3, fixtureLogged.count / 2, fixtureLogged.count - 1] {
                let offset = fixtureLogged[position].offset
                let reader = log.reader(from: offset)
                var read: [LoggedEvent] = []
                while let batch = try? reader.next() {
                    read += batch.events.enumerated().map { LoggedEvent(offset: batch.baseOffset + UInt64($0.offset), event: $0.element) }
                }
                guard read.filter({ $0.offset >= offset }) == Array(fixtureLogged[position...]) else {
                    fatalError("segment-index: an index changed what a read from offset \(offset) returns")
                }
            }
        }
        // The writable start: keeps or rebuilds the index, then continues after the last event.
        let opened: Recovery.Opened
        do { opened = try Recovery.open(DataDirectory(path: dataPath, fileSystem: fileSystem), options: LogOptions(), logger: quietLogger) } catch {
            fatalError("segment-index: an index stopped the log from opening: \(error)")
        }
        opened.activeFile.close()
        guard opened.nextOffset == fixtureLogged.last!.offset + 1 else {
            fatalError("segment-index: an index made the log continue at \(opened.nextOffset), not after its last event \(fixtureLogged.last!.offset)")
        }
        guard loggedEvents(fileSystem) == fixtureLogged else { fatalError("segment-index: an index changed what the log reads after opening") }
    }

    /// The input is the data directory's `meta` file: refused with an error, or accepted
    /// and the log beside it read unchanged.
    static func meta(_ bytes: UnsafeRawBufferPointer) {
        let fileSystem = fixtureFileSystem(replacing: "meta", with: Array(bytes))
        guard (try? DataDirectory.open(path: dataPath, fileSystem: fileSystem)) != nil else { return }
        guard loggedEvents(fileSystem) == fixtureLogged else { fatalError("meta: a meta file the directory accepts changed what the log reads") }
    }

    /// The input is the first (sealed) segment's series index file without its checksum,
    /// which the target appends, as for `segmentIndex`. An index the decoder accepts
    /// must hold together (postings are the batches declaring each series) and encode
    /// back to an equal index; a scan of every series through it, over the fixture,
    /// may miss batches a forged index leaves out, but must never crash, hang or return
    /// a sample the log does not hold.
    static func seriesIndex(_ bytes: UnsafeRawBufferPointer) {
        var file = Array(bytes)
        let checksum = file.withUnsafeBytes { CRC32C.checksum(0, $0) }
        withUnsafeBytes(of: checksum.littleEndian) { file += $0 }
        guard let index = SeriesIndex.decode(file, baseOffset: 0) else { return }
        for (number, postings) in index.postings.enumerated() {
            let declaring = index.batches.indices.filter { index.batches[$0].declared.contains(UInt32(number)) }.map(UInt32.init)
            guard postings == declaring else { fatalError("series-index: series \(number)'s postings \(postings) are not its batches \(declaring)") }
        }
        guard let again = SeriesIndex.decode(index.encoded(), baseOffset: 0),
              again.batches == index.batches, again.series == index.series, again.segmentSizeBytes == index.segmentSizeBytes
        else { fatalError("series-index: an accepted index does not survive its own encoding") }
        let fileSystem = fixtureFileSystem(replacing: "log/" + LogFormat.seriesIndexFileName(baseOffset: 0), with: file)
        guard let log = try? ReadOnlyEventLog.open(directory: dataPath, fileSystem: fileSystem) else { fatalError("series-index: the fixture does not open") }
        var held = Set<String>()
        for logged in fixtureLogged {
            if case .metric(let sample) = logged.event.body { held.insert("\(sample.series) \(logged.event.timeNs) \(sample.value.bitPattern) \(sample.kind)") }
        }
        do {
            try log.metricSamples.scan(fromNs: .min, toNs: .max, wants: { _ in true }) { key, kind, times, values in
                for (time, value) in zip(times, values) where !held.contains("\(key) \(time) \(value.bitPattern) \(kind)") {
                    fatalError("series-index: a scan returned \(key) at \(time) = \(value), which the log does not hold")
                }
            }
        } catch {
            fatalError("series-index: a scan failed: \(error)")
        }
    }
}
