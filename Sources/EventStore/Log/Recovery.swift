import Logging

/// What opening a log found and repaired.
public struct RecoveryReport: Sendable, Equatable {
    /// The damage that made recovery cut the newest segment, and where.
    public var truncated: CorruptionError?
    /// Bytes cut from the end of the newest segment (an incomplete or damaged last batch).
    public var droppedBytes: UInt64 = 0
    /// Damage found that was not at the tail (kept: readers report and skip it).
    public var damage: [CorruptionError] = []
    /// Segments whose index was missing or stale and was rebuilt by scanning.
    public var rebuiltIndexes: [UInt64] = []

    public init() {}
}

/// Opening a log: load or rebuild each sealed segment's index, then scan the newest
/// segment, verify every checksum, and cut an incomplete or damaged final batch.
enum Recovery {
    struct Opened {
        var segments: [SegmentRecord]
        var activeFile: any LogFile
        var nextOffset: UInt64
        var report: RecoveryReport
    }

    static func open(_ directory: DataDirectory, options: LogOptions, logger: Logger) throws(FileSystemError) -> Opened {
        let fileSystem = directory.fileSystem
        var bases = try directory.segmentBaseOffsets()
        var report = RecoveryReport()
        if bases.isEmpty {
            let (file, record) = try SegmentFiles.create(directory, baseOffset: 0, createdTimeNs: options.clockNs(), indexIntervalBytes: options.sparseIndexIntervalBytes)
            return Opened(segments: [record], activeFile: file, nextOffset: 0, report: report)
        }
        let newest = bases.removeLast()
        var segments: [SegmentRecord] = []
        for base in bases {
            let path = directory.segmentPath(baseOffset: base)
            let file = try fileSystem.open(path, create: false, truncate: false)
            defer { file.close() }
            let size = try file.sizeBytes()
            var created: Int64 = 0
            var index: SegmentIndex
            if let loaded = SegmentFiles.loadIndex(directory: directory, baseOffset: base, fileSizeBytes: size) {
                index = loaded
            } else {
                let scan = try SegmentFiles.scan(file, path: path, baseOffset: base, intervalBytes: options.sparseIndexIntervalBytes, decode: false)
                index = scan.index
                created = scan.header?.createdTimeNs ?? 0
                report.rebuiltIndexes.append(base)
                report.damage.append(contentsOf: scan.damage)
                do { try SegmentFiles.writeIndex(index, fileSizeBytes: size, directory: directory) } catch {
                    logger.warning("could not write rebuilt index", metadata: ["segment": "\(path)", "error": "\(error)"])
                }
                index.segmentSizeBytes = size
            }
            segments.append(SegmentRecord(baseOffset: base, path: path, createdTimeNs: created, sealed: true, index: index, fileSizeBytes: size))
        }

        let path = directory.segmentPath(baseOffset: newest)
        let file = try fileSystem.open(path, create: false, truncate: false)
        var scan = try SegmentFiles.scan(file, path: path, baseOffset: newest, intervalBytes: options.sparseIndexIntervalBytes, decode: false)
        if scan.header == nil && scan.index.summary.batchCount == 0 {
            // Created but never completed (a crash inside the roll): start it again.
            try file.truncate(to: 0)
            let header = SegmentHeader(baseOffset: newest, createdTimeNs: options.clockNs()).encoded()
            try header.withUnsafeBytes { raw in Result { () throws(FileSystemError) in try file.writeAll(raw, at: 0) } }.get()
            try file.sync()
            scan = try SegmentFiles.scan(file, path: path, baseOffset: newest, intervalBytes: options.sparseIndexIntervalBytes, decode: false)
        }
        let intactEnd = scan.index.segmentSizeBytes
        if intactEnd < scan.fileSizeBytes {
            report.truncated = scan.tailDamage ?? CorruptionError(segment: path, position: intactEnd, reason: .truncated, detail: "bytes after the last batch")
            report.droppedBytes = scan.fileSizeBytes - intactEnd
            try file.truncate(to: intactEnd)
            try file.sync()
            logger.warning("recovery cut an incomplete or damaged last batch", metadata: [
                "segment": "\(path)", "position": "\(intactEnd)", "droppedBytes": "\(report.droppedBytes)",
                "reason": "\(report.truncated!.reason.rawValue)",
            ])
        }
        // Damage in the cut tail is gone with it; what is before the cut stays and is reported.
        report.damage.append(contentsOf: scan.damage.filter { $0 != scan.tailDamage && $0.position < intactEnd })
        for damage in report.damage {
            logger.warning("damaged batch kept in place; readers will report it", metadata: [
                "segment": "\(damage.segment)", "position": "\(damage.position)", "reason": "\(damage.reason.rawValue)",
            ])
        }
        let nextOffset = scan.index.summary.endOffset ?? newest
        segments.append(SegmentRecord(
            baseOffset: newest, path: path, createdTimeNs: scan.header?.createdTimeNs ?? options.clockNs(), sealed: false,
            index: scan.index, fileSizeBytes: intactEnd))
        return Opened(segments: segments, activeFile: file, nextOffset: nextOffset, report: report)
    }
}
