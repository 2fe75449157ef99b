import Foundation

/// The state the writer publishes and readers, tails and maintenance read: the
/// segment list, the high-water mark, and the live-tail subscribers. One lock; held
/// only for short copies and pushes, never across I/O.
final class LogState: @unchecked Sendable {
    private let lock = NSLock()
    private var segments: [SegmentRecord]
    /// The offset after the last acknowledged event: readers see offsets below it.
    private var highWaterMark: UInt64
    private var subscribers: [Int: TailChannel] = [:]
    private var nextSubscriberID = 0
    private var closed = false
    /// The high-water mark again, for tasks waiting for it to pass an offset.
    let readable: OffsetWatch

    init(segments: [SegmentRecord], highWaterMark: UInt64) {
        precondition(!segments.isEmpty, "a log always has an active segment")
        self.segments = segments
        self.highWaterMark = highWaterMark
        self.readable = OffsetWatch(highWaterMark)
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    var currentHighWaterMark: UInt64 { withLock { highWaterMark } }
    var allSegments: [SegmentRecord] { withLock { segments } }
    var oldestSegmentBaseOffset: UInt64? { withLock { segments.first?.baseOffset } }

    /// The newest event time of any intact batch; nil while the log is empty.
    var newestEventTimeNs: Int64? {
        withLock {
            let newest = segments.reduce(Int64.min) { max($0, $1.index.summary.maxTimeNs) }
            return newest == .min ? nil : newest
        }
    }

    func segment(baseOffset: UInt64) -> SegmentRecord? {
        withLock { segments.first { $0.baseOffset == baseOffset } }
    }

    /// The segment holding `offset` (or the oldest, when `offset` is older than all).
    func segment(containing offset: UInt64) -> SegmentRecord {
        withLock { segments.last { $0.baseOffset <= offset } ?? segments[0] }
    }

    /// The first segment after `baseOffset`.
    func segment(after baseOffset: UInt64) -> SegmentRecord? {
        withLock { segments.first { $0.baseOffset > baseOffset } }
    }

    /// Makes a written batch group visible: the active segment's index and committed
    /// size, the high-water mark, and a push to every live subscriber.
    func publish(active: SegmentRecord, highWaterMark newMark: UInt64, batch: LogBatch, bufferBatchesMax: Int) {
        withLock {
            precondition(segments.last?.baseOffset == active.baseOffset, "publishing to a segment that is not active")
            precondition(newMark >= highWaterMark, "high-water mark moved backwards")
            segments[segments.count - 1] = active
            highWaterMark = newMark
            readable.advance(to: newMark)
            var lagged: [Int] = []
            for (id, channel) in subscribers where !channel.push(batch, bufferBatchesMax: bufferBatchesMax) {
                lagged.append(id)
            }
            for id in lagged { subscribers[id] = nil }
        }
    }

    /// Replaces the only (empty) segment with `record`, an empty one at a later base.
    func rebase(to record: SegmentRecord) {
        withLock {
            precondition(segments.count == 1 && segments[0].index.summary.batchCount == 0, "rebasing a log that holds batches")
            precondition(record.baseOffset >= highWaterMark, "rebasing backwards")
            segments = [record]
            highWaterMark = record.baseOffset
            readable.advance(to: record.baseOffset)
        }
    }

    /// Seals the active segment and starts `next` as the new active one.
    func roll(sealed: SegmentRecord, next: SegmentRecord) {
        withLock {
            precondition(segments.last?.baseOffset == sealed.baseOffset, "rolling a segment that is not active")
            segments[segments.count - 1] = sealed
            segments.append(next)
        }
    }

    func replace(_ record: SegmentRecord) {
        withLock {
            guard let i = segments.firstIndex(where: { $0.baseOffset == record.baseOffset }) else { return }
            segments[i] = record
        }
    }

    func remove(baseOffset: UInt64) {
        withLock {
            precondition(segments.last?.baseOffset != baseOffset, "removing the active segment")
            segments.removeAll { $0.baseOffset == baseOffset }
        }
    }

    /// Registers a live subscriber if it has caught up with the high-water mark.
    /// Returns its id, or nil when it must read more from the log first.
    func register(_ channel: TailChannel, caughtUpTo offset: UInt64) -> Int? {
        withLock {
            if closed {
                channel.finish()
                nextSubscriberID += 1
                return nextSubscriberID
            }
            guard offset >= highWaterMark else { return nil }
            nextSubscriberID += 1
            subscribers[nextSubscriberID] = channel
            return nextSubscriberID
        }
    }

    var subscriberCount: Int { withLock { subscribers.count } }

    func unregister(_ id: Int) {
        _ = withLock { subscribers.removeValue(forKey: id) }
    }

    /// Ends every subscription (their sequences finish normally).
    func close() {
        withLock {
            closed = true
            readable.close()
            for channel in subscribers.values { channel.finish() }
            subscribers.removeAll()
        }
    }
}
