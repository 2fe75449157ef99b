import EventStore

extension ProjectionHost {
    /// The views as of `timeNs`: the fold of the longest log prefix whose events are
    /// all at or before `timeNs`. Starts from the best known state inside that prefix
    /// (the live snapshot, a cached one, or the newest checkpoint whose newest event
    /// is at or before `timeNs`) and replays the log from there, keeping a snapshot
    /// every `timeTravelCacheEveryEvents` events or `timeTravelCacheEveryEventTimeNs`
    /// of event time so that nearby queries replay little. Runs beside the live fold.
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
        if let restored = newestCheckpointState(atOrBeforeNs: timeNs, after: nextOffset) {
            (views, nextOffset, eventTimeNs) = (restored.views, restored.nextOffset, restored.eventTimeNs)
            cache.insert(views, nextOffset: nextOffset, eventTimeNs: eventTimeNs)
        }

        let reader = try log.makeReader(fromOffset: nextOffset)
        var cachedOffset = nextOffset
        var cachedTimeNs = eventTimeNs
        reading: while let batch = try reader.next() {
            try Task.checkCancellation()
            var offset = batch.baseOffset
            for event in batch.events {
                defer { offset += 1 }
                guard offset >= nextOffset else { continue }
                if event.timeNs > timeNs { break reading }
                views.apply(event, offset: offset)
                nextOffset = offset + 1
                eventTimeNs = max(eventTimeNs ?? event.timeNs, event.timeNs)
            }
            guard let newest = eventTimeNs else { continue }
            let since = cachedTimeNs ?? newest
            cachedTimeNs = since
            let (spanNs, overflow) = newest.subtractingReportingOverflow(since)
            if nextOffset - cachedOffset >= options.timeTravelCacheEveryEvents
                || overflow || spanNs >= options.timeTravelCacheEveryEventTimeNs {
                cache.insert(views, nextOffset: nextOffset, eventTimeNs: eventTimeNs)
                (cachedOffset, cachedTimeNs) = (nextOffset, newest)
            }
        }
        if nextOffset > cachedOffset { cache.insert(views, nextOffset: nextOffset, eventTimeNs: eventTimeNs) }
        return EngineSnapshot(views: views, nextOffset: nextOffset, eventTimeNs: eventTimeNs, lastCheckpoint: nil)
    }

    /// The newest readable checkpoint covering only events at or before `timeNs` and
    /// more than `offset` events; damaged ones are passed over (recovery reports them).
    private nonisolated func newestCheckpointState(atOrBeforeNs timeNs: Int64, after offset: UInt64) -> EngineState<Views>? {
        guard let listing = try? checkpoints.list() else { return nil }
        for info in listing.checkpoints where info.nextOffset > offset && (info.eventTimeNs ?? .min) <= timeNs {
            guard let bytes = try? checkpoints.load(info),
                  let state = try? EngineStateCodec.decode(bytes, as: EngineState<Views>.self),
                  state.nextOffset == info.nextOffset else { continue }
            return state
        }
        return nil
    }
}
