/// Reads the log batch by batch from an offset or a time, concurrently with the
/// writer, seeing only whole acknowledged batches (below the published high-water
/// mark). Returns nil when caught up; call `next()` again later for more.
///
/// On damage it throws `LogError.corruption` with the segment, position and reason
/// and stays at the damage; `skipDamaged()` moves to the next intact batch.
/// One reader is used by one task at a time.
public final class LogReader {
    private let state: LogState
    private let fileSystem: any LogFileSystem
    /// Offset of the next event to return.
    public private(set) var nextOffset: UInt64
    /// When reading from a time: events before it in the first batch found are dropped.
    private var fromTimeNs: Int64?
    /// When set, batches (and sealed segments) whose oldest event is newer than this
    /// are passed over without being decoded: the fold "as of T" needs none of them.
    /// The batches returned may still hold newer events; the caller filters those.
    public var eventTimeAtMost: Int64?
    /// When set, batches (and sealed segments) whose newest event is at or before this
    /// are passed over without being decoded, with the sparse index jumping over the
    /// start of a segment that holds only such: a fold extended from T to a later T'
    /// has every one of their events already.
    public var eventTimeAfter: Int64?
    /// Bytes each read of a segment file asks for ahead of the frame it needs.
    var readAheadBytes = SegmentCursor.readAheadBytesDefault
    private var segmentBase: UInt64?
    private var cursor: SegmentCursor?
    /// With `eventTimeAtMost`: where in the open segment every later batch (as far as
    /// the segment reached when it was opened) holds only newer events, so the cursor
    /// jumps from `fromPosition` to `toPosition`, past offsets up to `endOffset`.
    private var newerStretch: (fromPosition: UInt64, toPosition: UInt64, endOffset: UInt64)?
    private var sealedLimitKnown = false
    private var decoder = BatchFrameDecoder()
    private var events: [Event] = []

    init(state: LogState, fileSystem: any LogFileSystem, fromOffset: UInt64) {
        self.state = state
        self.fileSystem = fileSystem
        self.nextOffset = fromOffset
    }

    init(state: LogState, fileSystem: any LogFileSystem, fromTimeNs: Int64) {
        self.state = state
        self.fileSystem = fileSystem
        self.fromTimeNs = fromTimeNs
        // The first segment whose newest event is at or after the time; none: the end.
        let segments = state.allSegments
        let target = segments.first { $0.index.summary.batchCount > 0 && $0.index.summary.maxTimeNs >= fromTimeNs }
        self.nextOffset = target?.baseOffset ?? state.currentHighWaterMark
    }

    deinit {
        cursor?.file.close()
        decoder.deallocate()
    }

    /// The next batch at or after `nextOffset`, or nil when there is nothing more yet.
    public func next() throws(LogError) -> LogBatch? {
        while let (frame, cursor) = try nextFrameInSegments() {
            if let fromTimeNs, frame.header.maxTimeNs < fromTimeNs { continue }
            if let eventTimeAtMost, frame.header.minTimeNs > eventTimeAtMost {
                nextOffset = frame.header.endOffset
                continue
            }
            if let eventTimeAfter, frame.header.maxTimeNs <= eventTimeAfter {
                nextOffset = frame.header.endOffset
                continue
            }
            events.removeAll(keepingCapacity: true)
            do { try decoder.decode(frame, segment: cursor.path, into: &events) } catch {
                cursor.seek(to: frame.position)
                throw .corruption(error)
            }
            var base = frame.header.baseOffset
            var slice = events[...]
            if base < nextOffset {
                slice = slice.dropFirst(Int(nextOffset - base))
                base = nextOffset
            }
            if let fromTimeNs {
                let skipped = slice.prefix { $0.timeNs < fromTimeNs }.count
                slice = slice.dropFirst(skipped)
                base += UInt64(skipped)
                self.fromTimeNs = nil
            }
            nextOffset = frame.header.endOffset
            guard slice.startIndex == events.startIndex else { return LogBatch(baseOffset: base, events: Array(slice)) }
            // The whole buffer, shared: a reader that has let the batch go by the next
            // call gets its storage back (`removeAll(keepingCapacity:)` on a unique
            // buffer), so a long read neither copies every event nor maps fresh pages
            // for every batch (both a tenth of a `?at=` fold); one that keeps it keeps
            // its own copy (the removal then allocates anew).
            return LogBatch(baseOffset: base, events: events)
        }
        return nil
    }

    /// The next stored batch frame holding offsets at or after `nextOffset`, as its
    /// bytes (checksum verified, payload not decoded): what replication ships. The
    /// frame may start before `nextOffset` when batches were re-packed (compaction).
    public func nextFrame() throws(LogError) -> LogFrame? {
        guard let (frame, _) = try nextFrameInSegments() else { return nil }
        nextOffset = frame.header.endOffset
        return LogFrame(header: frame.header, bytes: Array(frame.bytes))
    }

    /// The next intact frame (checksum verified) that ends past `nextOffset`, walking
    /// into later segments; nil when caught up with the high-water mark.
    private func nextFrameInSegments() throws(LogError) -> (SegmentCursor.Frame, SegmentCursor)? {
        while true {
            if cursor == nil {
                guard try openSegment() else { return nil }
            }
            guard let cursor else { continue }
            if let stretch = newerStretch, cursor.position >= stretch.fromPosition {
                newerStretch = nil
                cursor.seek(to: max(cursor.position, stretch.toPosition))
                nextOffset = max(nextOffset, stretch.endOffset)
            }
            let frame: SegmentCursor.Frame?
            do { frame = try cursor.next() } catch {
                switch error {
                case .corruption(let corruption): throw .corruption(corruption)
                case .fileSystem(let fsError): throw .fileSystem(fsError)
                }
            }
            guard let frame else {
                guard try advanceAtEndOfData() else { return nil }
                continue
            }
            if frame.header.endOffset <= nextOffset { continue }
            return (frame, cursor)
        }
    }

    /// Damaged batches `nextIntact` passes over in one read at most: a wholly unreadable
    /// log ends the read with its error instead of scanning forever.
    public static let damagedBatchesSkippedMax = 1_000_000

    /// The next intact batch: damaged ones (those `tacho verify` names) are reported to
    /// `onDamage` and passed over, as every reader of a live or recorded log does; past
    /// `skippedMax` in this call, or on any other error, the error is thrown.
    public func nextIntact(
        skippingAtMost skippedMax: Int = LogReader.damagedBatchesSkippedMax, onDamage: (CorruptionError) -> Void = { _ in }
    ) throws(LogError) -> LogBatch? {
        var skipped = 0
        while true {
            do { return try next() } catch {
                guard case .corruption(let damage) = error, skipped < skippedMax else { throw error }
                onDamage(damage)
                skipped += 1
                try skipDamaged()
            }
        }
    }

    /// After a corruption error: moves past the damaged batch to the next intact one.
    public func skipDamaged() throws(LogError) {
        guard let cursor else { return }
        do { try cursor.skipDamaged() } catch { throw .fileSystem(error) }
    }

    /// Opens the segment holding `nextOffset` and positions inside it. False when
    /// there is nothing to read.
    private func openSegment() throws(LogError) -> Bool {
        let record = segmentBase.flatMap { state.segment(after: $0) } ?? state.segment(containing: nextOffset)
        if segmentBase != nil && record.baseOffset <= segmentBase! { return false }
        let summary = record.index.summary
        let passedOver = eventTimeAtMost.map { summary.minTimeNs > $0 } == true || eventTimeAfter.map { summary.maxTimeNs <= $0 } == true
        if passedOver, record.sealed, summary.batchCount > 0, state.segment(after: record.baseOffset) != nil {
            // Nothing in this segment is old enough: on to the next without opening it.
            nextOffset = max(nextOffset, summary.endOffset ?? record.baseOffset)
            segmentBase = record.baseOffset
            return true
        }
        let file: any LogFile
        do { file = try fileSystem.open(record.path, create: false, truncate: false) } catch {
            // Retention may delete a segment between listing and opening: look again.
            if error.code == .notFound, state.segment(baseOffset: record.baseOffset) == nil { return true }
            throw .fileSystem(error)
        }
        nextOffset = max(nextOffset, record.baseOffset)
        segmentBase = record.baseOffset
        let limit: UInt64
        if record.sealed {
            do { limit = try file.sizeBytes() } catch { throw .fileSystem(error) }
        } else {
            limit = record.index.segmentSizeBytes
        }
        sealedLimitKnown = record.sealed
        let opened = SegmentCursor(file: file, path: record.path, position: UInt64(SegmentHeader.sizeBytes), limitBytes: limit, readAheadBytes: readAheadBytes)
        cursor = opened
        newerStretch = nil
        // The index must describe this file (compaction renames a new one over it): a
        // sealed one's size is the file's; an open one's is the writer's, whose bytes
        // the reader reads up to. Later appends land past `limit` and are read.
        if let eventTimeAtMost, record.index.segmentSizeBytes == limit, let endOffset = record.index.summary.endOffset,
           let from = record.index.positionPastWhichEveryEvent(isNewerThan: eventTimeAtMost) {
            newerStretch = (from, limit, endOffset)
        }
        try checkHeader(opened)
        position(opened, record: record)
        // Every batch before the index's position ends at or before `eventTimeAfter`.
        if let eventTimeAfter, eventTimeAfter < .max, record.index.segmentSizeBytes == limit {
            let past = record.index.position(forTimeNs: eventTimeAfter + 1)
            if past > opened.position, past < limit { opened.seek(to: past) }
        }
        return true
    }

    private func checkHeader(_ cursor: SegmentCursor) throws(LogError) {
        var bytes = [UInt8](repeating: 0, count: SegmentHeader.sizeBytes)
        let read: Int
        do {
            read = try bytes.withUnsafeMutableBytes { raw in
                Result { () throws(FileSystemError) in try cursor.file.readFully(at: 0, into: raw) }
            }.get()
        } catch { throw .fileSystem(error) }
        do {
            _ = try bytes.withUnsafeBytes { raw in
                Result { () throws(CorruptionError) in try SegmentHeader.decode(UnsafeRawBufferPointer(rebasing: raw[0..<read]), segment: cursor.path) }
            }.get()
        } catch {
            // The frames may still be intact: `skipDamaged` resumes at the first batch.
            cursor.seek(to: 0)
            throw .corruption(error)
        }
    }

    /// Jumps ahead using the sparse index, when the start is not the segment's first batch.
    private func position(_ cursor: SegmentCursor, record: SegmentRecord) {
        var target = UInt64(SegmentHeader.sizeBytes)
        if let fromTimeNs {
            target = record.index.position(forTimeNs: fromTimeNs)
        } else if nextOffset > record.baseOffset {
            target = record.index.position(forOffset: nextOffset)
        }
        guard target > UInt64(SegmentHeader.sizeBytes), target < cursor.limitBytes else { return }
        // The index may describe another version of the file (compaction renames over
        // it): trust the position only if an intact batch starts there.
        cursor.seek(to: target)
        if let frame = try? cursor.next(), frame.header.baseOffset <= max(nextOffset, record.baseOffset) {
            cursor.seek(to: target)
        } else {
            cursor.seek(to: UInt64(SegmentHeader.sizeBytes))
        }
    }

    /// At the end of the readable bytes: looks for more in this segment, or moves to
    /// the next. False when caught up with the high-water mark.
    private func advanceAtEndOfData() throws(LogError) -> Bool {
        guard let cursor, let segmentBase else { return false }
        if !sealedLimitKnown {
            guard let record = state.segment(baseOffset: segmentBase) else { return closeAndMove() }
            if record.sealed {
                do { cursor.limitBytes = try cursor.file.sizeBytes() } catch { throw .fileSystem(error) }
                sealedLimitKnown = true
                return true
            }
            if record.index.segmentSizeBytes > cursor.limitBytes {
                cursor.limitBytes = record.index.segmentSizeBytes
                return true
            }
            return false
        }
        return closeAndMove()
    }

    private func closeAndMove() -> Bool {
        guard let segmentBase, state.segment(after: segmentBase) != nil else { return false }
        cursor?.file.close()
        cursor = nil
        return true
    }
}
