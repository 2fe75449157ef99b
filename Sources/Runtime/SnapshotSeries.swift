import EventStore
import Logging
import Projections
import Synchronization

/// A sparse series of engine-state snapshots along the log (`DIR/snapshots`), so
/// that `?at=` anywhere in a long log, and the first one after a restart, fold a
/// bounded stretch of events instead of the log from a far checkpoint.
///
/// Each snapshot is the host's state at a log prefix (the offsets below its
/// `nextOffset`, newest event time in its header) without the series rollups
/// (`Projection.omitLiveOnlyParts`: they grow with series × history), written by the host's own fold
/// every `everyEvents` events or `everyEventTimeNs` of event time. The files are
/// checkpoint files (binary header with the covered prefix, CRC32C over header and
/// content) holding `StoredStateCodec`'s content, as checkpoints do. They are derived data: damage costs a longer fold, never
/// a wrong answer (a damaged or missing one is passed over for an older one, then a
/// checkpoint, then replay).
///
/// Their own retention: past `bytesMax` the series is thinned evenly (the snapshot
/// whose neighbours are closest goes first, never the oldest or the newest), so a
/// long log keeps snapshots all along it, further apart;
/// and those covering a prefix that log retention removed go with their segments
/// (at the next write, and never used after it).
public final class SnapshotSeries: Sendable {
    public struct Options: Sendable, Equatable {
        /// A snapshot once this many events were folded since the previous one...
        /// (25,000: a `?at=` folds about 2 µs an event of the demo mix, read and
        /// decoded, so half of this at p50 and all of it at p95 on top of a snapshot's
        /// ~25 ms of reading and answering; at 50,000 a day of demo answered p95 in
        /// 139 ms, past the 100 ms an interactive seek allows. A snapshot of that day is
        /// about 1 MB, so the series doubles to ~1.3 GB a day.)
        public var everyEvents: UInt64 = 25_000
        /// ...or once this much event time passed since it, with at least `eventsMin` events.
        public var everyEventTimeNs: Int64 = 10 * 60 * 1_000_000_000
        public var eventsMin: UInt64 = 1_000
        /// Bytes on disk the series keeps at most, thinned evenly beyond it: a day of
        /// demo (58 M events) at `everyEvents` holds ~1.3 GB; at 1 GiB it was thinned
        /// to a snapshot every ~32,000 events and `?at=` answered p95 110 ms.
        public var bytesMax: UInt64 = 2 << 30

        public init() {}

        public func problem() -> String? {
            if everyEvents < 1 { return "snapshot everyEvents must be positive" }
            if everyEventTimeNs < 1 { return "snapshot everyEventTimeNs must be positive" }
            if eventsMin < 1 || eventsMin > everyEvents { return "snapshot eventsMin must be in 1...everyEvents" }
            if bytesMax < 1 { return "snapshot bytesMax must be positive" }
            return nil
        }
    }

    public let store: any CheckpointStore
    public let options: Options
    private let logger: Logger

    private struct Index {
        /// Usable snapshots, ascending `nextOffset`.
        var entries: [CheckpointInfo] = []
        var bytes: UInt64 = 0
        var statesLoaded: UInt64 = 0
    }

    private let index: Mutex<Index>

    /// Reads the series' headers; damaged files are logged and passed over.
    public init(store: any CheckpointStore, options: Options = Options(), logger: Logger = Logger(label: "tacho.snapshots")) throws(CheckpointStoreError) {
        precondition(options.problem() == nil, options.problem() ?? "")
        self.store = store
        self.options = options
        self.logger = logger
        let listing = try store.list()
        for damage in listing.damaged {
            logger.warning("view snapshot passed over", metadata: ["snapshot": "\(damage)"])
        }
        var index = Index()
        index.entries = listing.checkpoints.reversed()
        index.bytes = index.entries.reduce(0) { $0 + $1.contentSizeBytes }
        self.index = Mutex(index)
    }

    /// The snapshots known, oldest first.
    public var entries: [CheckpointInfo] { index.withLock { $0.entries } }
    public var bytes: UInt64 { index.withLock { $0.bytes } }
    /// States read back (by time travel or recovery) since the series was opened.
    public var statesLoaded: UInt64 { index.withLock { $0.statesLoaded } }

    /// Whether a state at `nextOffset` (newest event `eventTimeNs`) is due: none is
    /// stored there, and enough events or event time separate it from the one before.
    public func isDue(nextOffset: UInt64, eventTimeNs: Int64?) -> Bool {
        guard let eventTimeNs, nextOffset > 0 else { return false }
        return index.withLock { index in
            let position = Self.firstPosition(in: index.entries, atOrAbove: nextOffset)
            if position < index.entries.count, index.entries[position].nextOffset == nextOffset { return false }
            guard position > 0 else { return nextOffset >= options.everyEvents }
            let previous = index.entries[position - 1]
            let events = nextOffset - previous.nextOffset
            if events >= options.everyEvents { return true }
            guard events >= options.eventsMin, let previousTimeNs = previous.eventTimeNs else { return false }
            let (spanNs, overflow) = eventTimeNs.subtractingReportingOverflow(previousTimeNs)
            return overflow || spanNs >= options.everyEventTimeNs
        }
    }

    /// Stores `state`, then applies the series' retention: those below `oldestOffset`
    /// (the log's first offset kept) go, then the series is thinned to `bytesMax`.
    @discardableResult
    public func save<Views>(_ state: EngineState<Views>, oldestOffset: UInt64) throws -> CheckpointInfo {
        // Without the series rollups: on 10,000 series they were 3 MB a snapshot after
        // ten minutes, and encoding one every 25,000 events held the host to a fraction
        // of its fold rate, far behind a remote-write feed it otherwise folds live.
        let content = try StoredStateCodec.encode(state.omittingLiveOnlyParts())
        let info = try store.save(content, nextOffset: state.nextOffset, eventTimeNs: state.eventTimeNs)
        let doomed = index.withLock { index -> [CheckpointInfo] in
            let position = Self.firstPosition(in: index.entries, atOrAbove: info.nextOffset)
            if position < index.entries.count, index.entries[position].nextOffset == info.nextOffset {
                index.bytes -= index.entries[position].contentSizeBytes
                index.entries[position] = info
            } else {
                index.entries.insert(info, at: position)
            }
            index.bytes += info.contentSizeBytes
            var doomed: [CheckpointInfo] = []
            while let first = index.entries.first, first.nextOffset != info.nextOffset, first.nextOffset < oldestOffset {
                doomed.append(index.entries.removeFirst())
                index.bytes -= first.contentSizeBytes
            }
            while index.bytes > options.bytesMax, let thinned = Self.closestPair(in: index.entries) {
                doomed.append(index.entries.remove(at: thinned))
                index.bytes -= doomed[doomed.count - 1].contentSizeBytes
            }
            return doomed
        }
        remove(doomed)
        return info
    }

    /// Removes the snapshots covering offsets past `endOffset`: a crash lost the log's
    /// unsynced tail they folded, and new events will take those offsets. Returns them.
    @discardableResult
    public func discard(after endOffset: UInt64) -> [CheckpointInfo] {
        let doomed = index.withLock { index -> [CheckpointInfo] in
            let doomed = index.entries.filter { $0.nextOffset > endOffset }
            index.entries.removeAll { $0.nextOffset > endOffset }
            index.bytes -= doomed.reduce(0) { $0 + $1.contentSizeBytes }
            return doomed
        }
        remove(doomed)
        return doomed
    }

    private func remove(_ doomed: [CheckpointInfo]) {
        for info in doomed {
            do { try store.remove(info) } catch {
                logger.warning("removing a view snapshot failed", metadata: ["snapshot": "\(info.name)", "error": "\(error)"])
            }
        }
    }

    /// The newest readable state covering more than `offset` events and at most
    /// `endOffset`, none newer than `timeNs`, and none below `oldestOffset`. Damaged or vanished snapshots are
    /// dropped from the series (logged) and older ones tried.
    public func newestState<Views>(
        atOrBeforeNs timeNs: Int64, after offset: UInt64, through endOffset: UInt64 = .max, oldestOffset: UInt64, as _: Views.Type
    ) -> EngineState<Views>? {
        while let info = newestCandidate(atOrBeforeNs: timeNs, after: offset, through: endOffset, oldestOffset: oldestOffset) {
            do {
                let state: EngineState<Views> = try StoredStateCodec.decode(try store.load(info))
                guard state.nextOffset == info.nextOffset else {
                    throw CheckpointCodecError(operation: "decode", detail: "content covers \(state.nextOffset), header says \(info.nextOffset)")
                }
                index.withLock { $0.statesLoaded += 1 }
                return state
            } catch {
                logger.warning("view snapshot passed over", metadata: ["snapshot": "\(info.name)", "error": "\(error)"])
                drop(info)
            }
        }
        return nil
    }

    private func newestCandidate(atOrBeforeNs timeNs: Int64, after offset: UInt64, through endOffset: UInt64, oldestOffset: UInt64) -> CheckpointInfo? {
        index.withLock { index in
            index.entries.last {
                $0.nextOffset > offset && $0.nextOffset <= endOffset && $0.nextOffset >= oldestOffset
                    && ($0.eventTimeNs ?? .min) <= timeNs
            }
        }
    }

    private func drop(_ info: CheckpointInfo) {
        index.withLock { index in
            guard let position = index.entries.firstIndex(of: info) else { return }
            index.entries.remove(at: position)
            index.bytes -= info.contentSizeBytes
        }
    }

    /// The snapshot (not the first or the last) whose neighbours are closest: removing
    /// it leaves the smallest gap, so repeated removals keep the spacing even.
    static func closestPair(in entries: [CheckpointInfo]) -> Int? {
        guard entries.count > 2 else { return nil }
        return (1..<(entries.count - 1)).min { a, b in
            entries[a + 1].nextOffset - entries[a - 1].nextOffset < entries[b + 1].nextOffset - entries[b - 1].nextOffset
        }
    }

    /// The first position whose `nextOffset` is at or above `offset`.
    private static func firstPosition(in entries: [CheckpointInfo], atOrAbove offset: UInt64) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].nextOffset < offset { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
