import EventStore
import Projections
import Synchronization
import Runtime

/// Limits and cadences of a replay.
public struct ReplayOptions: Sendable {
    /// Events one playing tick folds at most, so the engine answers controls between
    /// ticks; at `max` speed it is the step of the replay.
    public var eventsPerTickMax = 100_000
    /// A fold state is kept for seeking and `?at=` every this many events folded.
    public var cacheEveryEvents = 10_000
    public var cacheEntriesMax = 32

    public init() {}
}

/// The cursor of a replay and the views folded up to it.
///
/// Folds the range `[from, to)` of a read-only log into a fresh `ProjectionSet` up to a
/// cursor in event time. While playing, `advance(wallElapsedNs:)` (called by
/// `ReplayDriver`) moves the cursor by the elapsed wall time times the speed; `control`
/// plays, pauses, steps and seeks. Reads without `?at=` answer the views at the cursor;
/// `?at=` folds (from the cursor's state, a cached one, or the range's start) to that
/// time, beside the cursor. Every change is handed to the publisher for the stream.
public actor ReplayEngine: ViewReading {
    public nonisolated let source: ReplaySource
    public nonisolated let options: ReplayOptions
    private nonisolated let cache: TimeTravelCache<ReplayFoldState>
    /// The directory's view snapshots (written by `tacho serve` or `tacho demo`), read
    /// only; nil when the range does not start at the log's first event (a snapshot
    /// holds every event before it) or the directory has none.
    private nonisolated let snapshots: SnapshotSeries?
    private nonisolated let shared: Shared
    /// One signal per `play`, for the driver waiting while paused.
    nonisolated let wakes: AsyncStream<Void>
    private nonisolated let wake: AsyncStream<Void>.Continuation

    /// The log prefix folded: every event of the range before its position, all at or
    /// before the cursor, up to the first one after it.
    private var fold: ReplayFoldState
    /// What the cursor shows: `fold` and the range's later events stamped at or before it.
    private var display: ReplayCursorFold
    private var cursor: ReplayLogCursor
    private var cursorNs: Int64
    private var playing: Bool
    private var speed: PlaybackSpeed
    private var lastError: String?
    private var cachedPosition: UInt64
    private var publisher: ReplayPublisher?

    /// What the routes read without waiting for the actor: the prefix (a start for
    /// `?at=`) and the views at the cursor.
    private final class Shared: Sendable {
        let value: Mutex<(fold: ReplayFoldState, display: EngineSnapshot<ProjectionSet>, status: ReplayStatus)>
        init(_ fold: ReplayFoldState, _ display: EngineSnapshot<ProjectionSet>, _ status: ReplayStatus) {
            value = Mutex((fold, display, status))
        }
    }

    /// Starts at the range's first event time (its events folded), playing or paused.
    public init(source: ReplaySource, speed: PlaybackSpeed, playing: Bool, options: ReplayOptions = ReplayOptions()) throws(ReplayError) {
        self.source = source
        self.options = options
        self.cache = TimeTravelCache(entriesMax: options.cacheEntriesMax)
        self.snapshots = Self.snapshots(of: source)
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        var fold = ReplayFoldState(position: source.startOffset)
        let cursor = ReplayLogCursor(source: source, position: fold.position)
        while true {
            let step = try cursor.fold(into: &fold, upToNs: source.firstNs, eventsMax: options.cacheEveryEvents)
            if step.blocked || step.exhausted { break }
        }
        let display = try ReplayCursorFold.at(source.firstNs, prefix: fold, previous: nil, source: source)
        self.fold = fold
        self.display = display
        self.cursor = cursor
        let ended = cursor.exhausted && source.firstNs >= source.lastNs
        self.cursorNs = source.firstNs
        self.playing = playing && !ended
        self.speed = speed
        self.cachedPosition = fold.position
        self.shared = Shared(fold, display.snapshot, ReplayStatus(
            playing: playing && !ended, ended: ended, speed: speed, cursorNs: source.firstNs, source: source,
            offset: display.views.lastOffset, eventsFolded: display.views.eventCount, error: nil))
        cache.insert(fold, nextOffset: fold.position, eventTimeNs: fold.eventTimeNs)
    }

    /// The publisher that turns changes into stream messages; set once before serving.
    func attach(_ publisher: ReplayPublisher) {
        self.publisher = publisher
    }

    public nonisolated func status() -> ReplayStatus {
        shared.value.withLock { $0.status }
    }

    public var isPlaying: Bool { playing }
    public var currentSpeed: PlaybackSpeed { speed }
    private var ended: Bool { cursorNs >= source.lastNs && cursor.exhausted }

    // MARK: Control

    /// Carries out one control request and answers the state after it. A read error
    /// stops the replay (paused, with the error in the state) and is thrown.
    @discardableResult
    public func control(_ control: ReplayControl) async throws(ReplayError) -> ReplayStatus {
        if let speed = control.speed { self.speed = speed }
        var change = ReplayPublisher.Change.state
        do {
            switch control.action {
            case .play:
                if ended {
                    _ = try move(to: source.firstNs)
                    change = .moved(reason: "replay restarted at the range's start")
                }
                playing = true
                wake.yield()
            case .pause:
                playing = false
            case .step:
                playing = false
                if !ended {
                    let target = min(source.lastNs, cursorNs.addingReportingOverflow(EventTime.nanosPerSecond).partialValue)
                    change = try move(to: target)
                }
            case .seek:
                change = try move(to: source.clamp(control.atNs ?? cursorNs))
                if case .advanced = change { change = .moved(reason: "replay seek to \(EventTime.formatRFC3339(cursorNs))") }
            }
            change = try follow(change)
        } catch {
            playing = false
            lastError = error.description
            await commit(.state)
            throw error
        }
        // The last read error stays in the state until a control succeeds.
        lastError = nil
        if ended { playing = false }
        return await commit(change)
    }

    /// Moves the cursor by `wallElapsedNs` of wall time at the current speed (at `max`,
    /// one tick of at most `eventsPerTickMax` events). Does nothing while paused.
    public func advance(wallElapsedNs: Int64) async {
        guard playing else { return }
        let target: Int64 = switch speed {
        case .max: source.lastNs
        case .factor(let factor):
            min(source.lastNs, cursorNs.addingReportingOverflow(Int64(min(Double(wallElapsedNs) * factor, 1e18))).partialValue)
        }
        do {
            let step = try cursor.fold(into: &fold, upToNs: target, eventsMax: options.eventsPerTickMax)
            cacheIfDue(final: step.blocked || step.exhausted)
            // When the tick's budget ran out first, the cursor stays with what is folded.
            cursorNs = step.blocked || step.exhausted ? max(cursorNs, target) : max(cursorNs, min(fold.eventTimeNs ?? cursorNs, target))
            let change = try follow(.advanced(step.types))
            if ended { playing = false }
            await commit(change)
        } catch {
            playing = false
            lastError = error.description
            await commit(.state)
        }
    }

    /// The series of view snapshots a replay of `source` may start from: only when the
    /// range starts at the log's first offset (nothing before it left out, nothing
    /// removed by retention), read-only.
    static func snapshots(of source: ReplaySource) -> SnapshotSeries? {
        guard source.fromNs == nil, source.log.segments().first?.baseOffset == 0,
              let store = FileCheckpointStore.reading(directory: DataDirectory.snapshotsPath(of: source.dataDirectory))
        else { return nil }
        return try? SnapshotSeries(store: store)
    }

    /// The newest fold state whose events are all at or before `timeNs`, past `position`:
    /// a cached one or a stored snapshot (a whole log prefix, so also a prefix of the range).
    private nonisolated func bestStart(atOrBeforeNs timeNs: Int64, after position: UInt64) -> ReplayFoldState? {
        var best = cache.best(atOrBeforeNs: timeNs)?.value
        if let cached = best, cached.position <= position { best = nil }
        let floor = max(position, best?.position ?? 0)
        if let stored = snapshots?.newestState(
            atOrBeforeNs: timeNs, after: floor, through: source.log.highWaterMark, oldestOffset: 0, as: ProjectionSet.self) {
            var state = ReplayFoldState(position: stored.nextOffset)
            state.views = stored.views
            state.eventTimeNs = stored.eventTimeNs
            best = state
        }
        return best
    }

    /// Folds to `timeNs`, from the current state when it is at or before that time, else
    /// from the best cached state or view snapshot (or the range's start).
    private func move(to timeNs: Int64) throws(ReplayError) -> ReplayPublisher.Change {
        var restarted = false
        if (fold.eventTimeNs ?? .min) > timeNs {
            fold = bestStart(atOrBeforeNs: timeNs, after: 0) ?? ReplayFoldState(position: source.startOffset)
            cursor = ReplayLogCursor(source: source, position: fold.position)
            cachedPosition = fold.position
            restarted = true
        }
        var types = Set<EventType>()
        while true {
            let step = try cursor.fold(into: &fold, upToNs: timeNs, eventsMax: options.cacheEveryEvents)
            types.formUnion(step.types)
            let done = step.blocked || step.exhausted
            cacheIfDue(final: done)
            if done { break }
        }
        cursorNs = timeNs
        return restarted ? .moved(reason: "replay seek to \(EventTime.formatRFC3339(timeNs))") : .advanced(types)
    }

    /// Brings the views shown to the cursor after the prefix or the cursor moved; the
    /// change also touches the views of the events folded past the prefix, before and after.
    private func follow(_ change: ReplayPublisher.Change) throws(ReplayError) -> ReplayPublisher.Change {
        let before = display.lateTypes
        display = try ReplayCursorFold.at(cursorNs, prefix: fold, previous: display, source: source)
        guard case .advanced(let types) = change else { return change }
        return .advanced(types.union(before).union(display.lateTypes))
    }

    private func cacheIfDue(final: Bool) {
        guard fold.position > cachedPosition else { return }
        if final || fold.position - cachedPosition >= UInt64(options.cacheEveryEvents) {
            cache.insert(fold, nextOffset: fold.position, eventTimeNs: fold.eventTimeNs)
            cachedPosition = fold.position
        }
    }

    /// Publishes the state for the routes, then the stream's messages for the change.
    @discardableResult
    private func commit(_ change: ReplayPublisher.Change) async -> ReplayStatus {
        let status = ReplayStatus(
            playing: playing, ended: ended, speed: speed, cursorNs: cursorNs, source: source,
            offset: display.views.lastOffset, eventsFolded: display.views.eventCount, error: lastError)
        let fold = self.fold
        let shown = display.snapshot
        shared.value.withLock { $0 = (fold, shown, status) }
        await publisher?.publish(change, snapshot: shown, status: status)
        return status
    }

    // MARK: ViewReading

    public nonisolated func currentSnapshot() -> EngineSnapshot<ProjectionSet> {
        shared.value.withLock { $0.display }
    }

    /// The views as of `timeNs` clamped to the range: the fold, in log order, of every
    /// event of the range at or before it, wherever it sits (the same `TimeTravelFold`
    /// as the live server's `?at=`). Starts from the cursor's state or a cached one when
    /// its newest event is at or before the time.
    public nonisolated func snapshot(atNs timeNs: Int64) async throws -> EngineSnapshot<ProjectionSet> {
        let target = source.clamp(timeNs)
        var state = ReplayFoldState(position: source.startOffset)
        let current = shared.value.withLock { $0.fold }
        if (current.eventTimeNs ?? .min) <= target { state = current }
        if let start = bestStart(atOrBeforeNs: target, after: state.position) { state = start }
        let reader = source.log.reader(from: state.position)
        reader.eventTimeAtMost = target
        let endOffset = source.log.highWaterMark
        var fold = TimeTravelFold(views: state.views, nextOffset: state.position, eventTimeNs: state.eventTimeNs, timeNs: target)
        let source = self.source
        while true {
            try Task.checkCancellation()
            let batch = try source.next(reader, reading: "for ?at=")
            guard let batch, fold.fold(batch, endOffset: endOffset, include: { source.contains($0.timeNs) }) else { break }
        }
        if fold.wholePrefix, fold.prefixEnd > state.position {
            var prefix = ReplayFoldState(position: fold.prefixEnd)
            prefix.views = fold.views
            prefix.eventTimeNs = fold.eventTimeNs
            cache.insert(prefix, nextOffset: prefix.position, eventTimeNs: prefix.eventTimeNs)
        }
        return EngineSnapshot(
            views: fold.views.omittingLiveOnlyParts(), nextOffset: fold.views.lastOffset.map { $0 + 1 } ?? 0, eventTimeNs: fold.eventTimeNs,
            lastCheckpoint: nil)
    }

    public nonisolated func logInfo() -> LogInfo {
        var info = source.logInfo()
        info.viewSnapshots = snapshots.map(LogInfo.ViewSnapshots.init)
        info.queryCache = LogInfo.QueryCache(source.log.decodedSamples)
        return info
    }

    public nonisolated func events(fromNs: Int64, toNs: Int64, limit: Int, include: @Sendable (Event) -> Bool) throws -> [LoggedEvent] {
        try source.events(fromNs: fromNs, toNs: toNs, limit: limit, include: include)
    }
}
