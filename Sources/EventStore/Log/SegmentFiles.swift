/// Creating, scanning and indexing segment files: shared by recovery, the writer's
/// roll and compaction.
enum SegmentFiles {
    /// Creates a segment holding only its header, durably (file and directory synced).
    static func create(_ directory: DataDirectory, baseOffset: UInt64, createdTimeNs: Int64, indexIntervalBytes: UInt64) throws(FileSystemError) -> (any LogFile, SegmentRecord) {
        let path = directory.segmentPath(baseOffset: baseOffset)
        let file = try directory.fileSystem.open(path, create: true, truncate: true)
        do {
            let header = SegmentHeader(baseOffset: baseOffset, createdTimeNs: createdTimeNs).encoded()
            try header.withUnsafeBytes { raw in Result { () throws(FileSystemError) in try file.writeAll(raw, at: 0) } }.get()
            try file.sync()
            try directory.fileSystem.syncDirectory(directory.logPath)
        } catch {
            file.close()
            try? directory.fileSystem.remove(path)
            throw error
        }
        let record = SegmentRecord(
            baseOffset: baseOffset, path: path, createdTimeNs: createdTimeNs, sealed: false,
            index: SegmentIndex(baseOffset: baseOffset, intervalBytes: indexIntervalBytes), fileSizeBytes: UInt64(SegmentHeader.sizeBytes))
        return (file, record)
    }

    struct ScanResult {
        var index: SegmentIndex
        var header: SegmentHeader?
        var damage: [CorruptionError] = []
        /// Set when damage runs to the end of the file (no intact batch after it).
        var tailDamage: CorruptionError?
        var fileSizeBytes: UInt64
    }

    /// Verifies every frame's checksum (and, with `decode`, its content) and builds the index.
    static func scan(
        _ file: any LogFile, path: String, baseOffset: UInt64, intervalBytes: UInt64, decode: Bool, limitBytes: UInt64? = nil
    ) throws(FileSystemError) -> ScanResult {
        let size = min(try file.sizeBytes(), limitBytes ?? .max)
        var result = ScanResult(index: SegmentIndex(baseOffset: baseOffset, intervalBytes: intervalBytes), fileSizeBytes: size)
        var headerBytes = [UInt8](repeating: 0, count: SegmentHeader.sizeBytes)
        let read = try headerBytes.withUnsafeMutableBytes { raw in
            Result { () throws(FileSystemError) in try file.readFully(at: 0, into: raw) }
        }.get()
        do {
            result.header = try headerBytes.withUnsafeBytes { raw in
                Result { () throws(CorruptionError) in try SegmentHeader.decode(UnsafeRawBufferPointer(rebasing: raw[0..<read]), segment: path) }
            }.get()
        } catch {
            result.damage.append(error)
        }
        guard size > UInt64(SegmentHeader.sizeBytes) else { return result }
        let cursor = SegmentCursor(file: file, path: path, position: UInt64(SegmentHeader.sizeBytes), limitBytes: size)
        var decoder = BatchFrameDecoder()
        defer { decoder.deallocate() }
        var events: [Event] = []
        scanning: while true {
            do throws(SegmentCursor.Failure) {
                guard let frame = try cursor.next() else { break scanning }
                if decode {
                    events.removeAll(keepingCapacity: true)
                    do { try decoder.decode(frame, segment: path, into: &events) } catch {
                        cursor.seek(to: frame.position)
                        throw SegmentCursor.Failure.corruption(error)
                    }
                }
                result.index.add(frame.header, at: frame.position)
            } catch {
                switch error {
                case .fileSystem(let fsError): throw fsError
                case .corruption(let corruption):
                    result.damage.append(corruption)
                    try cursor.skipDamaged()
                    // Every damaged batch is named, not only the first of a damaged run.
                    result.damage += try cursor.damagedFrames(in: corruption.position..<cursor.position)
                    if cursor.position >= size {
                        result.tailDamage = corruption
                        break scanning
                    }
                }
            }
        }
        return result
    }

    /// Writes a segment's index beside it, atomically. The index is derived data: a
    /// failure here costs a rebuild at the next open, nothing more.
    static func writeIndex(_ index: SegmentIndex, fileSizeBytes: UInt64, directory: DataDirectory) throws(FileSystemError) {
        var index = index
        // A sealed segment's index records the file's exact size: any other size means stale.
        index.segmentSizeBytes = fileSizeBytes
        try directory.fileSystem.writeAtomically(index.encoded(), to: directory.indexPath(baseOffset: index.baseOffset), directory: directory.logPath)
    }

    /// The index file of a sealed segment, when present and matching the segment's size.
    static func loadIndex(directory: DataDirectory, baseOffset: UInt64, fileSizeBytes: UInt64) -> SegmentIndex? {
        let path = directory.indexPath(baseOffset: baseOffset)
        guard directory.fileSystem.exists(path),
            let bytes = try? directory.fileSystem.readAll(path, sizeBytesMax: SegmentIndex.headerSizeBytes + 4 + LogLimits.indexEntriesMax * SegmentIndex.entrySizeBytes),
            let index = SegmentIndex.decode(bytes, baseOffset: baseOffset),
            index.segmentSizeBytes == fileSizeBytes
        else { return nil }
        return index
    }
}
