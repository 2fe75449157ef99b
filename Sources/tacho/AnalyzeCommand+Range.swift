import EventStore
import Foundation

/// A time range of a data directory opened read-only, read in log order: what
/// analyze, replay and the back-test share. Never changes the directory.
struct RangeScan {
    let path: String
    let fromNs: Int64?
    let toNs: Int64?

    init(path: String, from: TimeArgument?, to: TimeArgument?) throws {
        if let from, let to, to.nanos <= from.nanos {
            throw CommandFailure("--to (\(EventTime.formatRFC3339(to.nanos))) must be after --from (\(EventTime.formatRFC3339(from.nanos)))")
        }
        self.path = path
        self.fromNs = from?.nanos
        self.toNs = to?.nanos
    }

    func open() throws -> ReadOnlyEventLog {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("no data directory at \(path) (use --data DIR)")
        }
        do { return try ReadOnlyEventLog.open(directory: path) } catch {
            throw CommandFailure("cannot open data directory \(path) read-only: \(error)")
        }
    }

    /// Calls `body` with every batch's events in the range, in log order; `body`
    /// returns false to stop. Returns the number of events in the range.
    @discardableResult
    func forEachBatch(progress label: String, quiet: Bool, _ body: (ArraySlice<Event>, _ baseOffset: UInt64) throws -> Bool) throws -> UInt64 {
        let log = try open()
        var progress = Progress(label, quiet: quiet)
        let total = log.segments().reduce(UInt64(0)) { $0 + $1.eventCount }
        guard log.highWaterMark > 0 else { return 0 }
        let reader = fromNs.map { log.reader(fromTimeNs: $0) } ?? log.reader(from: 0)
        var done: UInt64 = 0
        var inRange: UInt64 = 0
        var filtered: [Event] = []
        while let batch = try LogAccess.next(reader) {
            done += UInt64(batch.events.count)
            let allIn = batch.events.allSatisfy { event in
                (fromNs.map { event.timeNs >= $0 } ?? true) && (toNs.map { event.timeNs < $0 } ?? true)
            }
            var keepGoing = true
            if allIn {
                inRange += UInt64(batch.events.count)
                keepGoing = try body(batch.events[...], batch.baseOffset)
            } else {
                // Offsets stay dense only within a run: hand over each run separately.
                var runStart: UInt64?
                for (i, event) in batch.events.enumerated() {
                    let wanted = (fromNs.map { event.timeNs >= $0 } ?? true) && (toNs.map { event.timeNs < $0 } ?? true)
                    if wanted {
                        if runStart == nil { runStart = batch.baseOffset + UInt64(i) }
                        filtered.append(event)
                    } else if let start = runStart {
                        inRange += UInt64(filtered.count)
                        keepGoing = try body(filtered[...], start)
                        filtered.removeAll(keepingCapacity: true)
                        runStart = nil
                        if !keepGoing { break }
                    }
                }
                if keepGoing, let start = runStart {
                    inRange += UInt64(filtered.count)
                    keepGoing = try body(filtered[...], start)
                }
                filtered.removeAll(keepingCapacity: true)
            }
            progress.update(done: done, total: total)
            if !keepGoing { break }
        }
        progress.finish(done: done, total: total)
        return inRange
    }
}
