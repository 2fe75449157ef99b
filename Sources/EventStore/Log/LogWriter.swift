import Logging

/// The one writer of a log. Appends queue up while a write is in flight and are then
/// written together (group commit): encoded into as few batch frames as the limits
/// allow, written with one write call, synced per the fsync policy, published, and
/// acknowledged with their offsets. A failed write cuts the file back to the last
/// good batch and fails only the appends of that group.
actor LogWriter {
    /// Writes and fsyncs block: the writer runs on its own queue, off the cooperative pool.
    private let executor = IOExecutor(label: "tacho.log.writer")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private struct Request {
        let events: [Event]
        /// A replica's append: the offset its first event must get (the leader's).
        let expectedBaseOffset: UInt64?
        /// A replica's append: the leader's frames of `events`, written as they are.
        let frames: [LogFrame]?
        let continuation: UnsafeContinuation<Result<ClosedRange<UInt64>, LogError>, Never>
    }

    private let directory: DataDirectory
    private let options: LogOptions
    private let state: LogState
    private let logger: Logger
    private let onSeal: @Sendable (UInt64) -> Void

    private var file: any LogFile
    private var active: SegmentRecord
    private var nextOffset: UInt64
    /// The file was left longer than `active`'s committed size by a failed write.
    private var needsTruncate = false
    private var dirty = false
    private var lastSyncNs: Int64
    private var pending: [Request] = []
    private var flushing = false
    private var closed = false
    private var drainWaiters: [UnsafeContinuation<Void, Never>] = []
    private var encoder: BatchFrameEncoder
    private var frameBytes: [UInt8] = []
    private var frameHeaders: [(header: BatchFrameHeader, position: Int)] = []

    init(
        directory: DataDirectory, options: LogOptions, state: LogState, file: sending any LogFile, active: SegmentRecord,
        nextOffset: UInt64, logger: Logger, onSeal: @escaping @Sendable (UInt64) -> Void
    ) {
        self.directory = directory
        self.options = options
        self.state = state
        self.file = file
        self.active = active
        self.nextOffset = nextOffset
        self.logger = logger
        self.onSeal = onSeal
        self.lastSyncNs = options.clockNs()
        self.encoder = BatchFrameEncoder(eventsPerBatchMax: options.eventsPerBatchMax)
    }

    /// Appends `events` (all or none) and returns their offsets once written (and
    /// synced, under `FsyncPolicy.always`).
    func append(_ events: [Event], expectedBaseOffset: UInt64? = nil, frames: [LogFrame]? = nil) async throws(LogError) -> ClosedRange<UInt64> {
        guard !events.isEmpty else { throw .invalidArgument("append of no events") }
        guard !closed else { throw .closed }
        let result = await withUnsafeContinuation { (continuation: UnsafeContinuation<Result<ClosedRange<UInt64>, LogError>, Never>) in
            pending.append(Request(events: events, expectedBaseOffset: expectedBaseOffset, frames: frames, continuation: continuation))
            if !flushing {
                flushing = true
                Task { await self.flushLoop() }
            }
        }
        return try result.get()
    }

    private func flushLoop() async {
        while !pending.isEmpty {
            var taken = 0
            var count = 0
            while taken < pending.count && (taken == 0 || count + pending[taken].events.count <= options.groupCommitEventsMax) {
                count += pending[taken].events.count
                taken += 1
            }
            let group = Array(pending.prefix(taken))
            pending.removeFirst(taken)
            let result = writeGroup(group)
            var offset: UInt64 = (try? result.get())?.lowerBound ?? 0
            for request in group {
                switch result {
                case .success:
                    let range = offset...(offset + UInt64(request.events.count) - 1)
                    offset += UInt64(request.events.count)
                    request.continuation.resume(returning: .success(range))
                case .failure(let error):
                    request.continuation.resume(returning: .failure(error))
                }
            }
            // Lets appends that arrived during the write join the next group.
            await Task.yield()
        }
        flushing = false
        for waiter in drainWaiters { waiter.resume() }
        drainWaiters.removeAll()
    }

    /// Writes one group; returns the offsets of all its events.
    private func writeGroup(_ group: [Request]) -> Result<ClosedRange<UInt64>, LogError> {
        if needsTruncate {
            do { try file.truncate(to: active.index.segmentSizeBytes) } catch { return .failure(.appendFailed(error)) }
            needsTruncate = false
        }
        let nowNs = options.clockNs()
        if active.index.summary.batchCount > 0 && nowNs - active.createdTimeNs >= options.segmentAgeMaxNs {
            if let error = roll(nowNs: nowNs) { return .failure(error) }
        }
        if let error = checkExpectedOffsets(group, nowNs: nowNs) { return .failure(error) }
        frameBytes.removeAll(keepingCapacity: true)
        frameHeaders.removeAll(keepingCapacity: true)
        let groupBase = nextOffset
        var offset = groupBase
        for request in group {
            if let frames = request.frames {
                // Verified and offset-checked by the caller: stored byte for byte.
                for frame in frames {
                    frameHeaders.append((frame.header, frameBytes.count))
                    frameBytes += frame.bytes
                }
            } else {
                encoder.appendFrames(request.events[...], baseOffset: offset, into: &frameBytes, headers: &frameHeaders)
            }
            offset += UInt64(request.events.count)
        }
        if active.index.summary.batchCount > 0 && active.index.segmentSizeBytes + UInt64(frameBytes.count) > options.segmentBytesMax {
            if let error = roll(nowNs: nowNs) { return .failure(error) }
        }
        let position = active.index.segmentSizeBytes
        do {
            try frameBytes.withUnsafeBytes { raw in Result { () throws(FileSystemError) in try file.writeAll(raw, at: position) } }.get()
            dirty = true
            options.observer?.wrote(events: Int(offset - groupBase), batches: frameHeaders.count, bytes: frameBytes.count)
            if shouldSync(nowNs: nowNs) { try syncNow(nowNs: nowNs) }
        } catch {
            cutBack(to: position, after: error)
            return .failure(.appendFailed(error))
        }
        for (header, relative) in frameHeaders { active.index.add(header, at: position + UInt64(relative)) }
        active.fileSizeBytes = active.index.segmentSizeBytes
        nextOffset = offset
        var all: [Event] = []
        if group.count == 1 { all = group[0].events } else {
            all.reserveCapacity(Int(offset - groupBase))
            for request in group { all.append(contentsOf: request.events) }
        }
        state.publish(active: active, highWaterMark: nextOffset, batch: LogBatch(baseOffset: groupBase, events: all), bufferBatchesMax: options.tailBufferBatchesMax)
        if active.index.segmentSizeBytes >= options.segmentBytesMax {
            // Roll now rather than before the next write, so a sealed segment does not wait for traffic.
            if let error = roll(nowNs: nowNs) {
                logger.warning("segment roll failed, will retry on next append", metadata: ["error": "\(error)"])
            }
        }
        return .success(groupBase...(offset - 1))
    }

    /// A replica's appends must land at the leader's offsets. An empty log starts at
    /// the first one it is given (a follower of a stream whose oldest batches are gone).
    private func checkExpectedOffsets(_ group: [Request], nowNs: Int64) -> LogError? {
        guard group.contains(where: { $0.expectedBaseOffset != nil }) else { return nil }
        if let first = group[0].expectedBaseOffset, first > nextOffset, nextOffset == active.baseOffset,
           active.index.summary.batchCount == 0, state.allSegments.count == 1 {
            if let error = rebaseEmpty(to: first, nowNs: nowNs) { return error }
        }
        var offset = nextOffset
        for request in group {
            if let expected = request.expectedBaseOffset, expected != offset {
                return .offsetMismatch(expected: expected, next: offset)
            }
            offset += UInt64(request.events.count)
        }
        return nil
    }

    /// Replaces the empty only segment with an empty one starting at `baseOffset`.
    private func rebaseEmpty(to baseOffset: UInt64, nowNs: Int64) -> LogError? {
        do {
            let (nextFile, nextRecord) = try SegmentFiles.create(directory, baseOffset: baseOffset, createdTimeNs: nowNs, indexIntervalBytes: options.sparseIndexIntervalBytes)
            let old = active
            file.close()
            file = nextFile
            active = nextRecord
            nextOffset = baseOffset
            state.rebase(to: nextRecord)
            try? directory.fileSystem.remove(old.path)
            try? directory.fileSystem.remove(directory.indexPath(baseOffset: old.baseOffset))
            try? directory.fileSystem.remove(directory.seriesIndexPath(baseOffset: old.baseOffset))
            try? directory.fileSystem.remove(directory.rollupsPath(baseOffset: old.baseOffset))
            logger.info("empty log now starts at the leader's offset", metadata: ["offset": "\(baseOffset)"])
            return nil
        } catch {
            return .appendFailed(error)
        }
    }

    private func shouldSync(nowNs: Int64) -> Bool {
        switch options.fsync {
        case .always: true
        case .interval(let ms): nowNs - lastSyncNs >= Int64(ms) * 1_000_000
        case .never: false
        }
    }

    private func syncNow(nowNs: Int64) throws(FileSystemError) {
        try file.sync()
        options.observer?.synced()
        dirty = false
        lastSyncNs = nowNs
    }

    /// After a failed write or sync: the bytes past `position` are not acknowledged
    /// and must not be found by recovery or readers.
    private func cutBack(to position: UInt64, after error: FileSystemError) {
        logger.error("append failed; cutting the segment back to its last good batch", metadata: [
            "segment": "\(active.path)", "position": "\(position)", "error": "\(error)",
        ])
        do { try file.truncate(to: position) } catch { needsTruncate = true }
    }

    /// Seals the active segment (sync, index) and starts the next one.
    private func roll(nowNs: Int64) -> LogError? {
        do {
            try file.sync()
            options.observer?.synced()
            dirty = false
            lastSyncNs = nowNs
            let (nextFile, nextRecord) = try SegmentFiles.create(directory, baseOffset: nextOffset, createdTimeNs: nowNs, indexIntervalBytes: options.sparseIndexIntervalBytes)
            var sealed = active
            sealed.sealed = true
            file.close()
            file = nextFile
            active = nextRecord
            state.roll(sealed: sealed, next: nextRecord)
            do { try SegmentFiles.writeIndex(sealed.index, fileSizeBytes: sealed.fileSizeBytes, directory: directory) } catch {
                logger.warning("could not write segment index; it will be rebuilt", metadata: ["segment": "\(sealed.path)", "error": "\(error)"])
            }
            onSeal(sealed.baseOffset)
            return nil
        } catch {
            return .appendFailed(error)
        }
    }

    /// Syncs if anything was written since the last sync (the interval timer calls it).
    func syncIfDirty() {
        guard dirty, !closed else { return }
        do { try syncNow(nowNs: options.clockNs()) } catch {
            logger.error("periodic fsync failed", metadata: ["segment": "\(active.path)", "error": "\(error)"])
        }
    }

    /// Waits for queued appends, syncs, and refuses further appends.
    func close() async throws(LogError) {
        guard !closed else { return }
        closed = true
        if flushing { await withUnsafeContinuation { drainWaiters.append($0) } }
        do { try file.sync() } catch { throw .fileSystem(error) }
        options.observer?.synced()
        file.close()
    }
}
