import EventStore
import Projections

/// A recorded data directory opened read-only (`ReadOnlyEventLog`: nothing is created,
/// written, truncated or deleted, even while a server appends to it) and the event-time
/// range `[from, to)` replayed from it.
///
/// The log is the snapshot taken at `open`: events appended later by a running server
/// are not part of the replay.
public final class ReplaySource: Sendable {
    public let log: ReadOnlyEventLog
    public let dataDirectory: String
    /// The range asked for; nil ends are open.
    public let fromNs: Int64?
    /// Exclusive.
    public let toNs: Int64?
    /// The event times the cursor moves between: the range clipped to the log's events.
    public let firstNs: Int64
    public let lastNs: Int64
    /// The log offset reading starts at: the first segment that can hold `from`.
    public let startOffset: UInt64
    /// The log offset reading ends at: past the last segment holding an event before
    /// `to`. Batches wholly after the range may come before later ones inside it (a
    /// backfill behind live data), so only the segments' times end a read early.
    public let endOffset: UInt64

    /// Opens `path` read-only. Throws `ReplayError` when it is not a data directory or
    /// when the range selects no event time of the log.
    public static func open(directory path: String, fromNs: Int64? = nil, toNs: Int64? = nil) throws(ReplayError) -> ReplaySource {
        if let fromNs, let toNs, toNs <= fromNs {
            throw ReplayError(.emptyRange, "the range ends (\(EventTime.formatRFC3339(toNs))) at or before it starts (\(EventTime.formatRFC3339(fromNs)))")
        }
        let log: ReadOnlyEventLog
        do { log = try ReadOnlyEventLog.open(directory: path) } catch {
            throw ReplayError(.cannotOpen, "cannot open \(path) read-only: \(error)")
        }
        let segments = log.segments()
        guard let logFirst = segments.compactMap(\.minTimeNs).min(), let logLast = segments.compactMap(\.maxTimeNs).max() else {
            throw ReplayError(.emptyRange, "\(path) holds no events to replay")
        }
        let first = Swift.max(fromNs ?? logFirst, logFirst)
        let last = Swift.min(toNs.map { $0 - 1 } ?? logLast, logLast)
        guard first <= last else {
            throw ReplayError(
                .emptyRange,
                "no event of \(path) (\(EventTime.formatRFC3339(logFirst)) to \(EventTime.formatRFC3339(logLast))) is within the range asked for")
        }
        let start = fromNs.map { log.reader(fromTimeNs: $0).nextOffset } ?? 0
        let end = toNs.map { toNs in segments.filter { ($0.minTimeNs ?? .max) < toNs }.map(\.endOffset).max() ?? start } ?? log.highWaterMark
        return ReplaySource(
            log: log, dataDirectory: path, fromNs: fromNs, toNs: toNs, firstNs: first, lastNs: last, startOffset: start, endOffset: end)
    }

    private init(
        log: ReadOnlyEventLog, dataDirectory: String, fromNs: Int64?, toNs: Int64?, firstNs: Int64, lastNs: Int64, startOffset: UInt64,
        endOffset: UInt64
    ) {
        self.log = log
        self.dataDirectory = dataDirectory
        self.fromNs = fromNs
        self.toNs = toNs
        self.firstNs = firstNs
        self.lastNs = lastNs
        self.startOffset = startOffset
        self.endOffset = endOffset
    }

    /// Whether an event's time is within `[from, to)`.
    func contains(_ timeNs: Int64) -> Bool {
        (fromNs.map { timeNs >= $0 } ?? true) && (toNs.map { timeNs < $0 } ?? true)
    }

    /// `timeNs` moved into `firstNs...lastNs`.
    public func clamp(_ timeNs: Int64) -> Int64 {
        Swift.min(Swift.max(timeNs, firstNs), lastNs)
    }

    /// The log's shape, with the event-time range narrowed to the replayed one: it is
    /// what the dashboard's timeline spans.
    public func logInfo() -> LogInfo {
        var info = LogInfo(dataDirectory: dataDirectory, segments: log.segments(), nextOffset: log.highWaterMark)
        info.firstTimeNs = firstNs
        info.firstTime = EventTime.formatRFC3339(firstNs)
        info.lastTimeNs = lastNs
        info.lastTime = EventTime.formatRFC3339(lastNs)
        return info
    }

    /// Events of the range whose time is within `fromNs...toNs`, in log order.
    public func events(fromNs: Int64, toNs: Int64, limit: Int, include: @Sendable (Event) -> Bool) throws -> [LoggedEvent] {
        precondition(limit >= 0, "limit must not be negative")
        let lower = Swift.max(fromNs, firstNs)
        let upper = Swift.min(toNs, lastNs)
        guard lower <= upper, limit > 0 else { return [] }
        let reader = log.reader(fromTimeNs: lower)
        reader.eventTimeAtMost = upper
        // Past the last segment holding an event at or before `upper`, none is in range.
        let end = log.segments().filter { ($0.minTimeNs ?? .max) <= upper }.map(\.endOffset).max() ?? 0
        var found: [LoggedEvent] = []
        var scanned: UInt64 = 0
        while let batch = try Self.next(reader), batch.baseOffset < end, scanned < Engine.timeScanEventsMax {
            scanned += UInt64(batch.events.count)
            for (index, event) in batch.events.enumerated() where event.timeNs >= lower && event.timeNs <= upper {
                guard include(event) else { continue }
                found.append(LoggedEvent(offset: batch.baseOffset + UInt64(index), event: event))
                if found.count == limit { return found }
            }
        }
        return found
    }

    /// The next batch, skipping damaged ones (reported by `tacho verify`) as the live server does.
    static func next(_ reader: LogReader) throws(LogError) -> LogBatch? {
        try reader.nextIntact()
    }

    /// The next batch of the replay's reads; a failure is a `ReplayError` naming the
    /// directory and what was being read (`reading`, e.g. "for ?at=").
    func next(_ reader: LogReader, reading: @autoclosure () -> String) throws(ReplayError) -> LogBatch? {
        do { return try Self.next(reader) } catch {
            throw ReplayError(.readFailed, "reading \(dataDirectory) \(reading()): \(error) (run `tacho verify`)")
        }
    }
}
