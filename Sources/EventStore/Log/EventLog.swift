import Logging

/// The log of a data directory: the one entry point the server, projections and CLI use.
///
/// `append` goes through one writer with group commit; readers, tails, `segments()`
/// and `verify()` run concurrently with it and see only acknowledged batches.
public final class EventLog: Sendable {
    public let directory: DataDirectory
    public let options: LogOptions
    /// What opening found and repaired (a torn last batch, damage, rebuilt indexes).
    public let recovery: RecoveryReport
    let state: LogState
    let seriesIndexes: SeriesIndexes
    /// Samples queries decoded, kept for the next ones.
    public let decodedSamples: DecodedSampleCache
    private let writer: LogWriter
    private let maintenance: LogMaintenance
    private let jobs: BackgroundJobs
    private let logger: Logger
    private let syncTimer: Task<Void, Never>?

    /// Opens (creating when absent) the log in `directory`, recovering its newest segment.
    public static func open(
        directory path: String, options: LogOptions = LogOptions(), fileSystem: any LogFileSystem = POSIXFileSystem(),
        logger: Logger = Logger(label: "tacho.log")
    ) throws(LogError) -> EventLog {
        if let problem = options.problem() { throw .invalidArgument(problem) }
        let directory = try DataDirectory.open(path: path, fileSystem: fileSystem)
        let opened: Recovery.Opened
        do { opened = try Recovery.open(directory, options: options, logger: logger) } catch { throw .fileSystem(error) }
        return EventLog(directory: directory, options: options, opened: opened, logger: logger)
    }

    private init(directory: DataDirectory, options: LogOptions, opened: sending Recovery.Opened, logger: Logger) {
        self.directory = directory
        self.options = options
        self.recovery = opened.report
        self.logger = logger
        let state = LogState(segments: opened.segments, highWaterMark: opened.nextOffset)
        let seriesIndexes = SeriesIndexes(directory: directory)
        let decodedSamples = DecodedSampleCache(capacityBytes: options.decodedSampleCacheBytes)
        let maintenance = LogMaintenance(
            directory: directory, options: options, state: state, seriesIndexes: seriesIndexes, decodedSamples: decodedSamples, logger: logger)
        let jobs = BackgroundJobs()
        self.state = state
        self.seriesIndexes = seriesIndexes
        self.decodedSamples = decodedSamples
        self.maintenance = maintenance
        self.jobs = jobs
        let writer = LogWriter(
            directory: directory, options: options, state: state, file: opened.activeFile, active: opened.segments.last!,
            nextOffset: opened.nextOffset, logger: logger,
            onSeal: { base in jobs.run { await maintenance.sealed(base) } })
        self.writer = writer
        jobs.run { await maintenance.indexSegmentsWithoutIndex() }
        if case .interval(let ms) = options.fsync {
            syncTimer = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(ms))
                    await writer.syncIfDirty()
                }
            }
        } else {
            syncTimer = nil
        }
    }

    /// Appends events, all or none, and returns the offsets assigned (dense, in order).
    /// Throws `LogError.appendFailed` (nothing written, log consistent), `.closed`, or
    /// `.invalidArgument` for an event outside `EventDomain` (nothing written: the
    /// decoder would read its batch as damage).
    public func append(_ events: [Event]) async throws(LogError) -> ClosedRange<UInt64> {
        // Checked here, in the caller's task, not on the writer's one queue.
        for (index, event) in events.enumerated() {
            if EventDomain.isPlainMetricInDomain(event.body) { continue }
            if let violation = EventDomain.violation(of: event.body) {
                throw .invalidArgument("event \(index) of \(events.count) (\(event.type.name)) is outside what the log holds: \(violation)")
            }
        }
        return try await writer.append(events)
    }

    /// A replica's append: `batch` must start at the log's next offset (the leader's
    /// offsets are kept), or the log must be empty, in which case it starts there.
    /// Throws `LogError.offsetMismatch` and writes nothing otherwise.
    public func appendReplicated(_ batch: LogBatch) async throws(LogError) -> ClosedRange<UInt64> {
        try await writer.append(batch.events, expectedBaseOffset: batch.baseOffset)
    }

    /// A replica's append of the leader's frames, stored byte for byte (no re-encoding):
    /// `frames` must be contiguous and hold exactly `batch` (their decoded events), which
    /// must start at the log's next offset (or the log be empty). Throws
    /// `invalidArgument` when the frames do not match the batch, `offsetMismatch` as
    /// `appendReplicated(_:)`; writes nothing then.
    public func appendReplicated(_ batch: LogBatch, frames: [LogFrame]) async throws(LogError) -> ClosedRange<UInt64> {
        guard let first = frames.first, first.baseOffset == batch.baseOffset, frames.last!.endOffset == batch.endOffset,
              zip(frames, frames.dropFirst()).allSatisfy({ $0.endOffset == $1.baseOffset })
        else { throw .invalidArgument("replicated frames do not cover offsets \(batch.baseOffset)..<\(batch.endOffset) contiguously") }
        return try await writer.append(batch.events, expectedBaseOffset: batch.baseOffset, frames: frames)
    }

    /// Returns once the event at `offset` is readable (the high-water mark is
    /// above it), the log closes, or the task is cancelled.
    public func waitUntilReadable(_ offset: UInt64) async {
        await state.readable.wait(above: offset)
    }

    /// The offset the next appended event will get: every offset below it is readable.
    public var highWaterMark: UInt64 { state.currentHighWaterMark }

    /// The first offset the log still holds: retention removes a prefix (the high-water
    /// mark when no segment holds a batch yet).
    public var oldestOffset: UInt64 {
        state.oldestSegmentBaseOffset ?? highWaterMark
    }

    /// A reader from `offset` (or the oldest retained offset, if older).
    public func reader(from offset: UInt64 = 0) -> LogReader {
        LogReader(state: state, fileSystem: directory.fileSystem, fromOffset: offset)
    }

    /// A reader from the first event whose time is at or after `timeNs`, in log order.
    public func reader(fromTimeNs timeNs: Int64) -> LogReader {
        LogReader(state: state, fileSystem: directory.fileSystem, fromTimeNs: timeNs)
    }

    /// A live tail from `offset`: catches up from the log, then follows appends.
    public func subscribe(from offset: UInt64, stopAtDamage: Bool = false) -> LogSubscription {
        let logger = self.logger
        return LogSubscription(state: state, fileSystem: directory.fileSystem, fromOffset: offset, stopAtDamage: stopAtDamage) { damage in
            logger.warning("live tail skipped a damaged batch", metadata: [
                "segment": "\(damage.segment)", "position": "\(damage.position)", "reason": "\(damage.reason.rawValue)",
            ])
        }
    }

    /// Every segment, oldest first, with its counts and sizes.
    public func segments() -> [SegmentInfo] {
        state.allSegments.map(SegmentInfo.init)
    }

    /// Checks every checksum and decodes every batch of every segment; returns each
    /// damaged batch (or header) with its segment and position. Empty: all intact.
    public func verify() throws(LogError) -> [CorruptionError] {
        var damage: [CorruptionError] = []
        for record in state.allSegments {
            do {
                let file = try directory.fileSystem.open(record.path, create: false, truncate: false)
                defer { file.close() }
                let scan = try SegmentFiles.scan(
                    file, path: record.path, baseOffset: record.baseOffset, intervalBytes: options.sparseIndexIntervalBytes,
                    decode: true, limitBytes: record.sealed ? nil : record.index.segmentSizeBytes)
                damage.append(contentsOf: scan.damage)
            } catch {
                if error.code == .notFound, state.segment(baseOffset: record.baseOffset) == nil { continue }
                throw .fileSystem(error)
            }
        }
        return damage
    }

    /// Re-packs a sealed segment into large batches now. False when there was nothing
    /// to gain, or the segment is active, already compacted, or damaged.
    @discardableResult
    public func compactSegment(baseOffset: UInt64) async throws(LogError) -> Bool {
        try await maintenance.compact(baseOffset)
    }

    /// The newest event time of the log (of any event, wherever it sits); nil while empty.
    public var newestEventTimeNs: Int64? { state.newestEventTimeNs }

    /// Applies retention now, measured back from `nowNs` (by default the log's newest
    /// event time, see `LogOptions.retentionAgeNs`); returns the deleted segments' bases.
    @discardableResult
    public func applyRetention(nowNs: Int64? = nil) async throws(LogError) -> [UInt64] {
        try await maintenance.applyRetention(nowNs: nowNs ?? maintenance.retentionReferenceNs())
    }

    /// The sealed segments retention would delete now if measured back from
    /// `referenceNs` with `ageNs`: what `tacho serve` checks before it opens a
    /// directory whose data its retention would destroy.
    /// The active segment counts too: once live data rolls it, it goes the same way.
    public func segmentsRetentionWouldDelete(referenceNs: Int64, ageNs: Int64) -> [SegmentInfo] {
        let cutoff = referenceNs.subtractingReportingOverflow(ageNs).partialValue
        return state.allSegments
            .filter { $0.index.summary.batchCount > 0 && $0.index.summary.maxTimeNs < cutoff }
            .map(SegmentInfo.init)
    }

    /// Waits for background work: the series indexes built at open, and compaction,
    /// indexing and retention started by segment rolls.
    public func waitForMaintenance() async {
        await jobs.waitAll()
    }

    /// Writes what is queued, waits for background work, fsyncs, ends live tails.
    /// Later appends throw `.closed`.
    public func close() async throws(LogError) {
        syncTimer?.cancel()
        try await writer.close()
        await jobs.waitAll()
        state.close()
    }
}
