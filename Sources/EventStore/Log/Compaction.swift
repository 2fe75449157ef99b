import Logging

/// Re-packs a sealed segment into large batches: same events, same offsets, fewer and
/// better-compressed frames. Written to a temporary file, synced, renamed over the
/// segment, and the directory synced; a reader holding the old file keeps reading the
/// old inode, a reader opening it afresh gets the new one. Damage in the segment
/// leaves it untouched (re-packing must never lose or invent a batch).
enum Compaction {
    static func compact(_ record: SegmentRecord, directory: DataDirectory, options: LogOptions, logger: Logger) throws(FileSystemError) -> SegmentRecord? {
        precondition(record.sealed, "compacting the active segment")
        let fileSystem = directory.fileSystem
        let source = try fileSystem.open(record.path, create: false, truncate: false)
        defer { source.close() }
        let size = try source.sizeBytes()
        let temporary = record.path + LogFormat.temporarySuffix
        let target = try fileSystem.open(temporary, create: true, truncate: true)
        var keep = false
        defer {
            target.close()
            if !keep { try? fileSystem.remove(temporary) }
        }

        var headerBytes = [UInt8](repeating: 0, count: SegmentHeader.sizeBytes)
        let read = try headerBytes.withUnsafeMutableBytes { raw in Result { () throws(FileSystemError) in try source.readFully(at: 0, into: raw) } }.get()
        guard read == SegmentHeader.sizeBytes,
            let header = try? headerBytes.withUnsafeBytes({ raw in try SegmentHeader.decode(raw, segment: record.path) })
        else {
            logger.warning("not compacting a segment with a damaged header", metadata: ["segment": "\(record.path)"])
            return nil
        }
        try headerBytes.withUnsafeBytes { raw in Result { () throws(FileSystemError) in try target.writeAll(raw, at: 0) } }.get()

        let cursor = SegmentCursor(file: source, path: record.path, position: UInt64(SegmentHeader.sizeBytes), limitBytes: size)
        var decoder = BatchFrameDecoder()
        defer { decoder.deallocate() }
        var encoder = BatchFrameEncoder(eventsPerBatchMax: options.eventsPerBatchMax)
        var index = SegmentIndex(baseOffset: record.baseOffset, intervalBytes: options.sparseIndexIntervalBytes)
        var pending: [Event] = []
        pending.reserveCapacity(options.eventsPerBatchMax)
        var pendingBase = record.baseOffset
        var written = UInt64(SegmentHeader.sizeBytes)
        var out: [UInt8] = []
        var headers: [(header: BatchFrameHeader, position: Int)] = []

        func flush() throws(FileSystemError) {
            guard !pending.isEmpty else { return }
            out.removeAll(keepingCapacity: true)
            headers.removeAll(keepingCapacity: true)
            encoder.appendFrames(pending[...], baseOffset: pendingBase, into: &out, headers: &headers)
            let at = written
            try out.withUnsafeBytes { raw in Result { () throws(FileSystemError) in try target.writeAll(raw, at: at) } }.get()
            for (frameHeader, relative) in headers { index.add(frameHeader, at: at + UInt64(relative)) }
            written += UInt64(out.count)
            pendingBase += UInt64(pending.count)
            pending.removeAll(keepingCapacity: true)
        }

        while let read = try cursor.read() {
            guard case .frame(let frame) = read else {
                logger.warning("not compacting a damaged segment", metadata: ["segment": "\(record.path)"])
                return nil
            }
            guard frame.header.baseOffset == pendingBase + UInt64(pending.count) else {
                logger.warning("not compacting a segment with an offset gap", metadata: ["segment": "\(record.path)"])
                return nil
            }
            do { try decoder.decode(frame, segment: record.path, into: &pending) } catch {
                logger.warning("not compacting a segment with undecodable content", metadata: ["segment": "\(record.path)"])
                return nil
            }
            if pending.count >= options.eventsPerBatchMax { try flush() }
        }
        try flush()
        guard index.summary.eventCount == record.index.summary.eventCount, written < size else { return nil }
        try target.sync()
        try fileSystem.rename(from: temporary, to: record.path)
        options.observer?.compacted()
        keep = true
        // The series index described the old file (smaller now, so a stale one would
        // be refused by its size anyway): rebuilt for the new one at the next query.
        try? fileSystem.remove(directory.seriesIndexPath(baseOffset: record.baseOffset))
        try? fileSystem.remove(directory.rollupsPath(baseOffset: record.baseOffset))
        try fileSystem.syncDirectory(directory.logPath)
        do { try SegmentFiles.writeIndex(index, fileSizeBytes: written, directory: directory) } catch {
            logger.warning("could not write compacted index; it will be rebuilt", metadata: ["segment": "\(record.path)"])
        }
        var compacted = record
        index.segmentSizeBytes = written
        compacted.index = index
        compacted.fileSizeBytes = written
        compacted.compacted = true
        compacted.createdTimeNs = header.createdTimeNs
        return compacted
    }
}
