import Foundation

/// The series indexes of a log's segments, kept for the queries that use them: a
/// sealed segment's loaded from its file, or built by scanning and written when the
/// file is missing or stale; the open segment's built in memory and extended to the
/// committed size at each use. Built off the append path: the writer never waits.
///
/// Every method does blocking file I/O: callers run on a thread of their own (the
/// log's maintenance executor, a query's blocking work), never the cooperative pool.
final class SeriesIndexes: @unchecked Sendable {
    /// Sealed segments' indexes kept in memory at most; the least recently used goes
    /// first (it reloads from its file).
    static let cachedSegmentsMax = 64

    private struct Cached {
        var index: SeriesIndex
        var sealed: Bool
        var compacted: Bool
        var written: Bool
        var lastUse: UInt64
    }

    private let directory: DataDirectory
    /// False for a read-only log: indexes are loaded when present, built in memory otherwise.
    private let writesFiles: Bool
    private let lock = NSLock()
    private var cached: [UInt64: Cached] = [:]
    private var useCount: UInt64 = 0
    /// Segments whose index file a read refuted: rebuilt by scanning, never loaded.
    private var distrusted: Set<UInt64> = []

    init(directory: DataDirectory, writesFiles: Bool = true) {
        self.directory = directory
        self.writesFiles = writesFiles
    }

    /// The index of `record` covering at least its committed bytes.
    func index(for record: SegmentRecord) throws(FileSystemError) -> SeriesIndex {
        let sizeBytes = record.index.segmentSizeBytes
        let known: Cached? = lock.withLock {
            useCount += 1
            cached[record.baseOffset]?.lastUse = useCount
            return cached[record.baseOffset]
        }
        var index: SeriesIndex
        var written = false
        if let known, known.compacted == record.compacted, known.index.segmentSizeBytes == sizeBytes {
            if !record.sealed || known.written { return known.index }
            index = known.index
        } else if let known, known.compacted == record.compacted, known.index.segmentSizeBytes < sizeBytes {
            // The segment grew (or sealed) since: index the new batches only.
            index = known.index
            try extend(&index, path: record.path, toBytes: sizeBytes)
        } else if record.sealed, !lock.withLock({ distrusted.contains(record.baseOffset) }), let loaded = load(record) {
            index = loaded
            written = true
        } else {
            index = SeriesIndex(baseOffset: record.baseOffset)
            try extend(&index, path: record.path, toBytes: sizeBytes)
        }
        if record.sealed && !written && writesFiles {
            // Derived data: a failed write costs a rebuild later, nothing more.
            written = (try? directory.fileSystem.writeAtomically(
                index.encoded(), to: directory.seriesIndexPath(baseOffset: record.baseOffset), directory: directory.logPath)) != nil
            if written { lock.withLock { _ = distrusted.remove(record.baseOffset) } }
        }
        let entry = Cached(index: index, sealed: record.sealed, compacted: record.compacted, written: written, lastUse: 0)
        lock.withLock {
            useCount += 1
            var stored = entry
            stored.lastUse = useCount
            // Another query may have indexed further meanwhile: keep the larger.
            if let current = cached[record.baseOffset], current.compacted == entry.compacted,
               current.index.segmentSizeBytes > entry.index.segmentSizeBytes {
                return
            }
            cached[record.baseOffset] = stored
            evictIfNeeded()
        }
        return index
    }

    /// The index of `record` if one in memory already covers its committed bytes (what
    /// `index(for:)` would return without reading or writing a file); nil otherwise.
    func heldIndex(for record: SegmentRecord) -> SeriesIndex? {
        lock.withLock {
            guard let known = cached[record.baseOffset], known.compacted == record.compacted,
                known.index.segmentSizeBytes == record.index.segmentSizeBytes, !record.sealed || known.written || !writesFiles
            else { return nil }
            useCount += 1
            cached[record.baseOffset]?.lastUse = useCount
            return known.index
        }
    }

    /// The committed bytes of the segment at `baseOffset` its index in memory covers;
    /// nil when none is in memory.
    func indexedSizeBytes(baseOffset: UInt64) -> UInt64? {
        lock.withLock { cached[baseOffset]?.index.segmentSizeBytes }
    }

    /// Forgets a segment's index (retention deleted it, or it no longer matches its file).
    func forget(baseOffset: UInt64) {
        lock.withLock { cached[baseOffset] = nil }
    }

    /// Forgets a segment's index and distrusts its file: a batch refuted what it said.
    /// The next use rebuilds it by scanning (and writes it again, when this log writes).
    func discard(baseOffset: UInt64) {
        lock.withLock {
            cached[baseOffset] = nil
            distrusted.insert(baseOffset)
        }
    }

    private func evictIfNeeded() {
        let sealed = cached.filter { $0.value.sealed }
        guard sealed.count > Self.cachedSegmentsMax else { return }
        for (base, _) in sealed.sorted(by: { $0.value.lastUse < $1.value.lastUse }).prefix(sealed.count - Self.cachedSegmentsMax) {
            cached[base] = nil
        }
    }

    private func load(_ record: SegmentRecord) -> SeriesIndex? {
        let path = directory.seriesIndexPath(baseOffset: record.baseOffset)
        guard directory.fileSystem.exists(path),
            let bytes = try? directory.fileSystem.readAll(path, sizeBytesMax: SeriesIndex.fileBytesMax),
            let index = SeriesIndex.decode(bytes, baseOffset: record.baseOffset),
            index.segmentSizeBytes == record.index.segmentSizeBytes
        else { return nil }
        return index
    }

    /// Indexes the batches from where `index` ends up to `toBytes`, decoding only their
    /// series tables. Damaged batches are passed over (no query reads them, as no
    /// damage-skipping reader does).
    private func extend(_ index: inout SeriesIndex, path: String, toBytes: UInt64) throws(FileSystemError) {
        let file = try directory.fileSystem.open(path, create: false, truncate: false)
        defer { file.close() }
        let cursor = SegmentCursor(file: file, path: path, position: index.segmentSizeBytes, limitBytes: toBytes)
        var decoder = BatchFrameDecoder()
        defer { decoder.deallocate() }
        while let read = try cursor.read() {
            guard case .frame(let frame) = read else {
                try cursor.skipDamaged()
                continue
            }
            guard let payload = try? decoder.payload(frame, segment: path),
                let declared = try? BatchSampleDecoder.declaredSeries(payload, eventCount: Int(frame.header.eventCount))
            else { continue }
            index.add(frame.header, at: frame.position, declared: declared.series, otherEventCount: declared.otherEventCount)
        }
        index.segmentSizeBytes = max(index.segmentSizeBytes, toBytes)
    }
}
