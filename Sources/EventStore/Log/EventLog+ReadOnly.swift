/// A data directory opened for reading only: replay, analysis and back-tests use it on a
/// recorded session or on the directory of a running server without changing a byte.
///
/// Unlike `EventLog.open` it creates nothing, writes no `meta` and no index, removes no
/// temporary file, truncates no torn tail and starts no writer. It is a snapshot: the
/// segments and their intact batches as they were at `open`; a batch being written at
/// that moment (an incomplete tail) is simply not part of it.
public final class ReadOnlyEventLog: Sendable {
    public let directory: DataDirectory
    /// Damage found in segments whose index had to be derived by scanning (kept, not repaired).
    public let damage: [CorruptionError]
    let state: LogState
    let seriesIndexes: SeriesIndexes
    /// Samples queries decoded, kept for the next ones.
    public let decodedSamples = DecodedSampleCache(capacityBytes: DecodedSampleCache.capacityBytesDefault)

    /// Opens `path` read-only. Throws when it is not a data directory (no `meta`), when a
    /// newer format wrote it, or when a segment cannot be read.
    public static func open(
        directory path: String, fileSystem: any LogFileSystem = POSIXFileSystem(),
        indexIntervalBytes: UInt64 = SegmentIndex.intervalBytesDefault
    ) throws(LogError) -> ReadOnlyEventLog {
        let directory = DataDirectory(path: path, fileSystem: fileSystem)
        guard fileSystem.exists(directory.metaPath) else {
            throw .badMeta(path: directory.metaPath, detail: "no meta file: not a data directory")
        }
        let version = try directory.readMetaVersion()
        guard version <= LogFormat.readableVersionMax else {
            throw .unsupportedFormatVersion(found: version, readableMax: LogFormat.readableVersionMax, path: directory.metaPath)
        }
        do {
            let (segments, damage) = try scanSegments(directory, indexIntervalBytes: indexIntervalBytes)
            let end = segments.last?.index.summary.endOffset ?? segments.last?.baseOffset ?? 0
            return ReadOnlyEventLog(directory: directory, segments: segments, highWaterMark: end, damage: damage)
        } catch {
            throw .fileSystem(error)
        }
    }

    private init(directory: DataDirectory, segments: [SegmentRecord], highWaterMark: UInt64, damage: [CorruptionError]) {
        self.directory = directory
        self.damage = damage
        self.state = LogState(segments: segments, highWaterMark: highWaterMark)
        self.seriesIndexes = SeriesIndexes(directory: directory, writesFiles: false)
    }

    /// The offset after the last intact event of the snapshot.
    public var highWaterMark: UInt64 { state.currentHighWaterMark }

    /// A reader from `offset` (or the oldest retained offset, if older).
    public func reader(from offset: UInt64 = 0) -> LogReader {
        LogReader(state: state, fileSystem: directory.fileSystem, fromOffset: offset)
    }

    /// A reader from the first event whose time is at or after `timeNs`, in log order.
    public func reader(fromTimeNs timeNs: Int64) -> LogReader {
        LogReader(state: state, fileSystem: directory.fileSystem, fromTimeNs: timeNs)
    }

    /// Every segment of the snapshot, oldest first.
    public func segments() -> [SegmentInfo] {
        state.allSegments.map(SegmentInfo.init)
    }

    /// Every batch of every segment checked (checksums, headers, decoding), reading the
    /// files as they are now and changing none. The newest segment's incomplete last
    /// batch, if any, is reported apart: it is what a crash mid-write leaves, and what
    /// the next read-write open cuts.
    public func verify() throws(LogError) -> (damage: [CorruptionError], incompleteTail: CorruptionError?) {
        var damage: [CorruptionError] = []
        var incompleteTail: CorruptionError?
        let records = state.allSegments
        for (position, record) in records.enumerated() {
            do {
                let file = try directory.fileSystem.open(record.path, create: false, truncate: false)
                defer { file.close() }
                let scan = try SegmentFiles.scan(
                    file, path: record.path, baseOffset: record.baseOffset, intervalBytes: SegmentIndex.intervalBytesDefault,
                    decode: true)
                for error in scan.damage {
                    if position == records.count - 1, error == scan.tailDamage, error.reason == .truncated {
                        incompleteTail = error
                    } else {
                        damage.append(error)
                    }
                }
            } catch {
                // Retention of a live server may delete an old segment while we check.
                if error.code == .notFound { continue }
                throw .fileSystem(error)
            }
        }
        return (damage, incompleteTail)
    }

    /// Sealed segments use their stored index when it is valid (else a scan, kept in
    /// memory); the newest is always scanned, and only its intact batches count.
    private static func scanSegments(
        _ directory: DataDirectory, indexIntervalBytes: UInt64
    ) throws(FileSystemError) -> ([SegmentRecord], [CorruptionError]) {
        let fileSystem = directory.fileSystem
        let bases = fileSystem.exists(directory.logPath) ? try directory.segmentBaseOffsets() : []
        var segments: [SegmentRecord] = []
        var damage: [CorruptionError] = []
        for (position, base) in bases.enumerated() {
            let newest = position == bases.count - 1
            let path = directory.segmentPath(baseOffset: base)
            let file: any LogFile
            do { file = try fileSystem.open(path, create: false, truncate: false) } catch {
                // Retention of a live server may delete an old segment while we list.
                if error.code == .notFound { continue }
                throw error
            }
            defer { file.close() }
            let size = try file.sizeBytes()
            if !newest, var index = SegmentFiles.loadIndex(directory: directory, baseOffset: base, fileSizeBytes: size) {
                index.segmentSizeBytes = size
                segments.append(SegmentRecord(baseOffset: base, path: path, createdTimeNs: 0, sealed: true, index: index, fileSizeBytes: size))
                continue
            }
            let scan = try SegmentFiles.scan(file, path: path, baseOffset: base, intervalBytes: indexIntervalBytes, decode: false)
            damage.append(contentsOf: scan.damage.filter { !newest || ($0 != scan.tailDamage && $0.position < scan.index.segmentSizeBytes) })
            segments.append(SegmentRecord(
                baseOffset: base, path: path, createdTimeNs: scan.header?.createdTimeNs ?? 0, sealed: !newest,
                index: scan.index, fileSizeBytes: scan.index.segmentSizeBytes))
        }
        if segments.isEmpty {
            // An empty directory reads as an empty log; the record is never opened.
            let path = directory.segmentPath(baseOffset: 0)
            segments.append(SegmentRecord(
                baseOffset: 0, path: path, createdTimeNs: 0, sealed: false,
                index: SegmentIndex(baseOffset: 0, intervalBytes: indexIntervalBytes), fileSizeBytes: 0))
        }
        return (segments, damage)
    }
}
