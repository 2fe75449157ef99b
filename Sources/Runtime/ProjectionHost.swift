import EventStore
import Logging
import Projections
import Synchronization

/// Runs the projections and the alert-rule engine over the log: recovers from the
/// newest usable checkpoint, follows the live tail, appends the alerts the rules
/// raise, checkpoints every N events or T of the injected clock's time, and
/// publishes a consistent snapshot that readers take without waiting for the fold.
///
/// Use: `recover()` once, then `run()` (until the log closes or the task is
/// cancelled; it writes a last checkpoint on the way out). `snapshot()`,
/// `updates()` and `views(atNs:)` may be called from anywhere at any time.
///
/// Alerts are never lost or doubled across a crash: a checkpoint is written only
/// when every alert raised before it is in the log, and on recovery the alerts the
/// rules raise again while replaying are matched against those the log holds.
public actor ProjectionHost<Views: Projection & FigureSource> {
    /// Recovery reads the log, checkpoints are written and fsynced: the host runs on its
    /// own queue, off the cooperative pool.
    private nonisolated let executor = IOExecutor(label: "tacho.projections.host")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public nonisolated let log: any HostLog
    public nonisolated let checkpoints: any CheckpointStore
    /// Engine states kept along the log for time travel; nil keeps none.
    public nonisolated let snapshots: SnapshotSeries?
    public nonisolated let options: HostOptions

    private nonisolated let published: Mutex<EngineSnapshot<Views>>
    nonisolated let broadcaster: UpdateBroadcaster
    nonisolated let cache: TimeTravelCache<Views>
    private let elapsed: @Sendable () -> Duration
    private let logger: Logger

    private enum Phase { case created, recovering, recovered, running, stopped }
    private var phase = Phase.created
    private var state: EngineState<Views>
    /// Alerts raised and not yet appended.
    private var unsent: [Event] = []
    /// Recovery only: alerts raised again while replaying that the log may already hold.
    private var unconfirmed: [Event] = []
    private var lastCheckpoint: CheckpointStamp?
    private var checkpointedOffset: UInt64 = 0
    private var lastCheckpointAt: Duration
    /// After a failed snapshot write (a full disk), none is tried again below this offset:
    /// each try encodes the whole state.
    private var snapshotRetryOffset: UInt64 = 0
    /// After failed checkpoint writes (a full disk), the wait before the next try: it
    /// doubles from the interval up to `checkpointRetryMax`, since each try encodes the
    /// whole state; nil while the last write succeeded.
    private var checkpointRetryDelay: Duration?
    static var checkpointRetryMax: Duration { .seconds(60) }

    public private(set) var recoveryReport: ProjectionRecoveryReport?
    public private(set) var checkpointsWritten: UInt64 = 0
    public private(set) var snapshotsWritten: UInt64 = 0
    /// The last checkpoint failure (the host carries on and tries again after an interval).
    public private(set) var lastCheckpointError: String?
    /// Alert events dropped because the log refused appends for too long.
    public private(set) var droppedAlertEvents: UInt64 = 0

    public init<C: Clock>(
        log: any HostLog, checkpoints: any CheckpointStore, snapshots: SnapshotSeries? = nil, options: HostOptions = HostOptions(),
        clock: C, logger: Logger = Logger(label: "tacho.projections")
    ) throws(HostError) where C.Duration == Duration {
        if let problem = options.problem() { throw HostError(code: .invalidOptions, detail: problem) }
        self.log = log
        self.checkpoints = checkpoints
        self.snapshots = snapshots
        self.options = options
        self.logger = logger
        let start = clock.now
        self.elapsed = { start.duration(to: clock.now) }
        self.lastCheckpointAt = .zero
        self.state = EngineState(rules: options.rules)
        self.published = Mutex(EngineSnapshot(views: Views(), nextOffset: 0, eventTimeNs: nil, lastCheckpoint: nil))
        self.broadcaster = UpdateBroadcaster(bufferedMax: options.updatesBufferedMax, subscribersMax: options.updateSubscribersMax)
        self.cache = TimeTravelCache(entriesMax: options.timeTravelCacheEntriesMax)
    }

    public init(
        log: any HostLog, checkpoints: any CheckpointStore, snapshots: SnapshotSeries? = nil, options: HostOptions = HostOptions(),
        logger: Logger = Logger(label: "tacho.projections")
    ) throws(HostError) {
        try self.init(log: log, checkpoints: checkpoints, snapshots: snapshots, options: options, clock: ContinuousClock(), logger: logger)
    }

    // MARK: Readers

    /// The views as of the last batch folded. Never waits for the fold.
    public nonisolated func snapshot() -> EngineSnapshot<Views> {
        published.withLock { $0 }
    }

    /// One `EngineUpdate` per batch folded live, newest `updatesBufferedMax` kept per
    /// subscriber. Ends when `run()` ends.
    public nonisolated func updates() -> AsyncStream<EngineUpdate> {
        broadcaster.subscribe()
    }

    /// The engine state's canonical encoding (views and rules; `EngineStateCodec`, for
    /// comparing states: checkpoints store `StoredStateCodec`'s form).
    public func encodedState() throws(CheckpointCodecError) -> [UInt8] {
        try EngineStateCodec.encode(state)
    }

    // MARK: Recovery

    /// Loads the newest usable checkpoint (skipping damaged ones, or ones past the
    /// log's end), replays the log after it, appends alerts the previous run raised
    /// but did not append, and publishes the first snapshot.
    @discardableResult
    public func recover() async throws -> ProjectionRecoveryReport {
        guard phase == .created else { throw HostError(code: .alreadyStarted, detail: "recover() was already called") }
        phase = .recovering
        let listing = try checkpoints.list()
        var skipped = listing.damaged
        let highWaterMark = log.highWaterMark
        for lost in snapshots?.discard(after: highWaterMark) ?? [] {
            skipped.append(CheckpointDamage(name: "snapshots/" + lost.name, reason: "covers offsets up to \(lost.nextOffset), past the log's end \(highWaterMark)"))
        }
        var loaded: CheckpointInfo?
        for info in listing.checkpoints {
            guard info.nextOffset <= highWaterMark else {
                skipped.append(CheckpointDamage(name: info.name, reason: "covers offsets up to \(info.nextOffset), past the log's end \(highWaterMark)"))
                continue
            }
            guard let restored = loadState(info, skipped: &skipped) else { continue }
            state = restored
            loaded = info
            break
        }
        var fromSnapshot = false
        if let loaded {
            lastCheckpoint = CheckpointStamp(nextOffset: loaded.nextOffset, eventTimeNs: loaded.eventTimeNs, writtenAtNs: options.wallClockNs())
            cache.insert(state.omittingLiveOnlyParts().views, nextOffset: state.nextOffset, eventTimeNs: state.eventTimeNs)
        } else if var restored = snapshots?.newestState(
            atOrBeforeNs: .max, after: 0, through: highWaterMark, oldestOffset: log.oldestOffset, as: Views.self) {
            // No checkpoint usable: the newest snapshot shortens the replay. It holds no
            // series rollups: they start empty and cover the events after it.
            cache.insert(restored.views, nextOffset: restored.nextOffset, eventTimeNs: restored.eventTimeNs)
            restored.restartLiveOnlyParts()
            state = restored
            fromSnapshot = true
            logger.notice("recovered from a view snapshot: series rollups start at its offset", metadata: ["offset": "\(restored.nextOffset)"])
        } else {
            state = EngineState(rules: options.rules)
        }
        checkpointedOffset = state.nextOffset
        lastCheckpointAt = elapsed()

        let from = state.nextOffset
        let reader = try log.makeReader(fromOffset: from)
        var replayed: UInt64 = 0
        var missing: UInt64 = 0
        var batches = 0
        while let batch = try reader.next() {
            try Task.checkCancellation()
            if batch.baseOffset > state.nextOffset { missing += batch.baseOffset - state.nextOffset }
            replayed += UInt64(batch.events.count)
            _ = fold(batch, recovering: true)
            checkpointIfDue()
            snapshotIfDue()
            batches += 1
            // Long replays share the cooperative pool.
            if batches % 64 == 0 { await Task.yield() }
        }
        let alertsToAppend = options.appendsRaisedAlerts ? unconfirmed.count : 0
        if options.appendsRaisedAlerts { unsent.append(contentsOf: unconfirmed) }
        unconfirmed.removeAll()
        var rulesReplaced = false
        if state.rules.ruleSet != options.rules {
            enqueue(state.replaceRules(options.rules))
            rulesReplaced = true
        }
        await flushOutbox()
        publish()
        let report = ProjectionRecoveryReport(
            start: loaded.map { .checkpoint($0) } ?? (fromSnapshot ? .snapshot(from) : .fullReplay), skipped: skipped, replayedFromOffset: from,
            replayedEvents: replayed, missingEvents: missing, alertsToAppend: alertsToAppend,
            rulesReplaced: rulesReplaced, nextOffset: state.nextOffset)
        recoveryReport = report
        if !skipped.isEmpty { logger.warning("projection checkpoints skipped", metadata: ["report": "\(report)"]) }
        logger.info("projections recovered", metadata: ["report": "\(report)"])
        phase = .recovered
        return report
    }

    /// The checkpoint's state, or nil with the reason added to `skipped`.
    private func loadState(_ info: CheckpointInfo, skipped: inout [CheckpointDamage]) -> EngineState<Views>? {
        func skip(_ reason: String) -> EngineState<Views>? {
            skipped.append(CheckpointDamage(name: info.name, reason: reason))
            return nil
        }
        do {
            let bytes = try checkpoints.load(info)
            let restored: EngineState<Views> = try StoredStateCodec.decode(bytes)
            guard restored.nextOffset == info.nextOffset else {
                return skip("content covers \(restored.nextOffset), header says \(info.nextOffset)")
            }
            return restored
        } catch let error as CheckpointStoreError {
            let reason: String = switch error.code {
            case .damaged(let reason): reason
            case .notFound: "missing"
            case .tooLarge(let size, let max): "\(size) bytes, over \(max)"
            case .fileSystem(let fsError): "unreadable: \(fsError)"
            }
            return skip(reason)
        } catch {
            return skip("\(error)")
        }
    }

    // MARK: Live

    /// Follows the log's tail from where recovery ended until the log closes or the
    /// task is cancelled, then writes a last checkpoint and ends `updates()` streams.
    public func run() async throws {
        guard phase == .recovered else {
            throw HostError(code: phase == .created ? .notRecovered : .alreadyStarted, detail: "run() needs one completed recover() and runs once")
        }
        phase = .running
        defer { phase = .stopped }
        do {
            var tail = try log.follow(fromOffset: state.nextOffset)
            following: while !Task.isCancelled {
                switch try await tail.next() {
                case .batch(let batch):
                    let types = fold(batch, recovering: false)
                    guard let types else { continue }
                    publish()
                    broadcaster.publish(EngineUpdate(offset: state.nextOffset - 1, eventTypes: types))
                    await flushOutbox()
                    checkpointIfDue()
                    snapshotIfDue()
                case .lagged:
                    logger.notice("projection host fell behind the live tail; reading the log again", metadata: ["from": "\(state.nextOffset)"])
                    tail = try log.follow(fromOffset: state.nextOffset)
                case .end:
                    break following
                }
            }
        } catch {
            stop()
            throw error
        }
        stop()
    }

    /// Writes a checkpoint now (unless alerts are still waiting to be appended).
    /// Returns the stamp of the newest checkpoint.
    @discardableResult
    public func checkpointNow() -> CheckpointStamp? {
        if state.nextOffset > checkpointedOffset || lastCheckpoint == nil { writeCheckpoint() }
        return lastCheckpoint
    }

    private func stop() {
        if state.nextOffset > checkpointedOffset { writeCheckpoint() }
        broadcaster.finish()
    }

    // MARK: Folding

    /// Folds a batch's new events; returns the event types it held, nil when it held
    /// nothing new (a redelivered prefix).
    private func fold(_ batch: LogBatch, recovering: Bool) -> Set<EventType>? {
        var typeMask: UInt32 = 0
        var offset = batch.baseOffset
        for event in batch.events {
            defer { offset += 1 }
            guard offset >= state.nextOffset else { continue }
            typeMask |= 1 << UInt32(event.type.rawValue)
            if recovering, !unconfirmed.isEmpty, event.isEmittedOutput, let index = unconfirmed.firstIndex(of: event) {
                unconfirmed.remove(at: index)
            }
            let raised = state.apply(event, offset: offset, evaluatingRules: true)
            if !raised.isEmpty {
                if recovering { unconfirmed.append(contentsOf: raised) } else { enqueue(raised) }
            }
        }
        guard typeMask != 0 else { return nil }
        return Set(EventType.allCases.filter { typeMask & (1 << UInt32($0.rawValue)) != 0 })
    }

    private func enqueue(_ events: [Event]) {
        // A follower: the leader's rules raised the same alerts; they come with its log.
        guard options.appendsRaisedAlerts else { return }
        unsent.append(contentsOf: events)
        let overflow = unsent.count - options.outboxEventsMax
        if overflow > 0 {
            unsent.removeFirst(overflow)
            droppedAlertEvents += UInt64(overflow)
            logger.error("alert events dropped: the log has refused appends for too long", metadata: ["dropped": "\(overflow)"])
        }
    }

    private func flushOutbox() async {
        guard !unsent.isEmpty else { return }
        let sending = unsent
        do {
            try await log.appendEmitted(sending)
            // Only `fold` adds to `unsent`, and it does not run while this awaits.
            unsent.removeFirst(sending.count)
        } catch {
            logger.error("appending alert events failed; retrying after the next batch", metadata: ["error": "\(error)", "count": "\(sending.count)"])
        }
    }

    private func publish() {
        let snapshot = EngineSnapshot(
            views: state.views, nextOffset: state.nextOffset, eventTimeNs: state.eventTimeNs, lastCheckpoint: lastCheckpoint,
            alertsWaiting: unsent.count + unconfirmed.count)
        published.withLock { $0 = snapshot }
    }

    // MARK: Checkpoints

    private func checkpointIfDue() {
        guard state.nextOffset > checkpointedOffset else { return }
        let sinceLast = elapsed() - lastCheckpointAt
        if let retryDelay = checkpointRetryDelay, sinceLast < retryDelay { return }
        let byCount = state.nextOffset - checkpointedOffset >= options.checkpointEveryEvents
        let byTime = sinceLast >= options.checkpointInterval
        if byCount || byTime { writeCheckpoint() }
    }

    private func snapshotIfDue() {
        // As for checkpoints: a state past an alert not yet in the log is not kept.
        guard let snapshots, unsent.isEmpty, unconfirmed.isEmpty, state.nextOffset >= snapshotRetryOffset,
              snapshots.isDue(nextOffset: state.nextOffset, eventTimeNs: state.eventTimeNs) else { return }
        do {
            try snapshots.save(state, oldestOffset: log.oldestOffset)
            snapshotsWritten += 1
        } catch {
            snapshotRetryOffset = state.nextOffset + snapshots.options.everyEvents
            logger.warning("writing a view snapshot failed; time travel folds longer until the next", metadata: ["error": "\(error)"])
        }
    }

    private func writeCheckpoint() {
        // A checkpoint past an alert not yet in the log would lose that alert in a crash.
        guard unsent.isEmpty, unconfirmed.isEmpty else { return }
        lastCheckpointAt = elapsed()
        do {
            let bytes = try StoredStateCodec.encode(state)
            let info = try checkpoints.save(bytes, nextOffset: state.nextOffset, eventTimeNs: state.eventTimeNs)
            checkpointedOffset = info.nextOffset
            lastCheckpoint = CheckpointStamp(nextOffset: info.nextOffset, eventTimeNs: info.eventTimeNs, writtenAtNs: options.wallClockNs())
            checkpointsWritten += 1
            lastCheckpointError = nil
            checkpointRetryDelay = nil
            cache.insert(state.omittingLiveOnlyParts().views, nextOffset: state.nextOffset, eventTimeNs: state.eventTimeNs)
            try checkpoints.prune(keepingNewest: options.checkpointsKept)
        } catch {
            lastCheckpointError = "\(error)"
            checkpointRetryDelay = min(Self.checkpointRetryMax, (checkpointRetryDelay ?? options.checkpointInterval / 2) * 2)
            logger.error("writing a projection checkpoint failed; trying again later", metadata: ["error": "\(error)", "retryIn": "\(checkpointRetryDelay ?? options.checkpointInterval)"])
        }
        if phase != .recovering { publish() }
    }
}

extension Event {
    /// The kinds of event the state emits: the rule engine's alerts and the health
    /// score's samples.
    var isEmittedOutput: Bool {
        switch body {
        case .alert, .alertResolve: true
        case .metric: HealthSample.isSample(self)
        default: false
        }
    }
}
