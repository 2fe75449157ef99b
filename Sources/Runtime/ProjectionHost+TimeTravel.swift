import EventStore
import Projections

extension ProjectionHost {
    /// The views as of `timeNs`: the fold, in log order, of every event whose time is
    /// at or before `timeNs`, wherever it sits in the log (DESIGN.md, "Event time"): a
    /// filter, not a prefix, so a backfill appended after live data, or live data
    /// appended during an import, still counts at its own time.
    ///
    /// The fold starts from the best known state that no event newer than `timeNs`
    /// has touched: the live snapshot, a cached one, a checkpoint or a view snapshot
    /// (`SnapshotSeries`), each a whole log prefix whose newest event is at or before
    /// `timeNs`. From there the log is read
    /// to the high-water mark of the moment of the call, passing over batches and
    /// sealed segments that hold only newer events. While every event read is kept,
    /// the state is still a whole prefix and is cached every
    /// `timeTravelCacheEveryEvents` events or `timeTravelCacheEveryEventTimeNs` of event
    /// time for nearby queries; past the first event left out it is this query's own.
    /// Runs beside the live fold. The answer's live-only parts are left out
    /// (`Projection.omitLiveOnlyParts`): a past moment's series rollups are read from
    /// the log by whoever needs them.
    public nonisolated func views(atNs timeNs: Int64) async throws -> EngineSnapshot<Views> {
        var views = Views()
        var nextOffset: UInt64 = 0
        var eventTimeNs: Int64?
        let live = snapshot()
        if (live.eventTimeNs ?? .min) <= timeNs {
            (views, nextOffset, eventTimeNs) = (live.views, live.nextOffset, live.eventTimeNs)
        }
        if let entry = cache.best(atOrBeforeNs: timeNs), entry.nextOffset > nextOffset {
            (views, nextOffset, eventTimeNs) = (entry.value, entry.nextOffset, entry.eventTimeNs)
        }
        if let restored = snapshots?.newestState(atOrBeforeNs: timeNs, after: nextOffset, oldestOffset: log.oldestOffset, as: Views.self) {
            (views, nextOffset, eventTimeNs) = (restored.views, restored.nextOffset, restored.eventTimeNs)
            cache.insert(views, nextOffset: nextOffset, eventTimeNs: eventTimeNs)
        }
        if let restored = newestCheckpointState(atOrBeforeNs: timeNs, after: nextOffset) {
            (views, nextOffset, eventTimeNs) = (restored.omittingLiveOnlyParts().views, restored.nextOffset, restored.eventTimeNs)
            cache.insert(views, nextOffset: nextOffset, eventTimeNs: eventTimeNs)
        }

        // An answer holds no live-only parts (the series rollups), whatever it starts from.
        views.omitLiveOnlyParts()
        let endOffset = log.highWaterMark
        let reader = try log.makeReader(fromOffset: nextOffset, eventTimeAtMost: timeNs)
        var fold = TimeTravelFold(views: views, nextOffset: nextOffset, eventTimeNs: eventTimeNs, timeNs: timeNs)
        var cachedOffset = nextOffset
        var cachedTimeNs = eventTimeNs
        while let batch = try reader.next() {
            try Task.checkCancellation()
            let more = fold.fold(batch, endOffset: endOffset)
            if fold.wholePrefix, let newest = fold.eventTimeNs {
                let since = cachedTimeNs ?? newest
                cachedTimeNs = since
                let (spanNs, overflow) = newest.subtractingReportingOverflow(since)
                if fold.prefixEnd - cachedOffset >= options.timeTravelCacheEveryEvents
                    || overflow || spanNs >= options.timeTravelCacheEveryEventTimeNs {
                    cache.insert(fold.views, nextOffset: fold.prefixEnd, eventTimeNs: fold.eventTimeNs)
                    (cachedOffset, cachedTimeNs) = (fold.prefixEnd, newest)
                }
            }
            if !more { break }
        }
        if fold.wholePrefix, fold.prefixEnd > cachedOffset {
            cache.insert(fold.views, nextOffset: fold.prefixEnd, eventTimeNs: fold.eventTimeNs)
        }
        return fold.snapshot
    }

    /// The newest readable checkpoint covering only events at or before `timeNs` and
    /// more than `offset` events; damaged ones are passed over (recovery reports them).
    private nonisolated func newestCheckpointState(atOrBeforeNs timeNs: Int64, after offset: UInt64) -> EngineState<Views>? {
        guard let listing = try? checkpoints.list() else { return nil }
        for info in listing.checkpoints where info.nextOffset > offset && (info.eventTimeNs ?? .min) <= timeNs {
            guard let bytes = try? checkpoints.load(info),
                  let state: EngineState<Views> = try? StoredStateCodec.decode(bytes),
                  state.nextOffset == info.nextOffset else { continue }
            return state
        }
        return nil
    }
}
