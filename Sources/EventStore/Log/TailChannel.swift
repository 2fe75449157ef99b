import DequeModule
import Foundation

/// The bounded buffer between the writer and one live-tail subscriber. The writer
/// pushes under the log state's lock and never waits: a subscriber whose buffer is
/// full is marked lagged and dropped, so a slow reader cannot hold up appends or
/// grow memory.
final class TailChannel: @unchecked Sendable {
    enum Delivery {
        case batch(LogBatch)
        case lagged
        case end
    }

    private let lock = NSLock()
    private var buffer = Deque<LogBatch>()
    private var lagged = false
    private var finished = false
    private var waiter: UnsafeContinuation<Delivery, Never>?
    /// Events below this offset were already delivered by the catch-up read.
    private let fromOffset: UInt64

    init(fromOffset: UInt64) {
        self.fromOffset = fromOffset
    }

    /// Returns false when the subscriber lagged (or ended) and should be dropped.
    func push(_ batch: LogBatch, bufferBatchesMax: Int) -> Bool {
        var batch = batch
        if batch.baseOffset < fromOffset {
            guard batch.endOffset > fromOffset else { return true }
            batch = LogBatch(baseOffset: fromOffset, events: Array(batch.events[Int(fromOffset - batch.baseOffset)...]))
        }
        lock.lock()
        defer { lock.unlock() }
        if finished || lagged { return false }
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: .batch(batch))
            return true
        }
        guard buffer.count < bufferBatchesMax else {
            lagged = true
            return false
        }
        buffer.append(batch)
        return true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        finished = true
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: .end)
        }
    }

    /// The next delivery: buffered batches first, then lagged or end, else waits.
    func next() async -> Delivery {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Delivery, Never>) in
                lock.lock()
                defer { lock.unlock() }
                if let batch = buffer.popFirst() {
                    continuation.resume(returning: .batch(batch))
                } else if lagged {
                    continuation.resume(returning: .lagged)
                } else if finished {
                    continuation.resume(returning: .end)
                } else {
                    precondition(waiter == nil, "two tasks iterating one subscription")
                    waiter = continuation
                }
            }
        } onCancel: {
            finish()
        }
    }
}
