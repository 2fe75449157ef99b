/// How a live tail ended abnormally.
public enum LogTailError: Error, Sendable, Equatable {
    /// The subscriber fell more than the buffer limit behind the writer. Resume by
    /// reading the log (or subscribing again) from `lastDeliveredOffset + 1`
    /// (nil: nothing was delivered, resume from where the subscription started).
    case lagged(lastDeliveredOffset: UInt64?)
    /// Reading the log during catch-up failed (with `stopAtDamage`, damage too).
    case log(LogError)
}

/// A live tail: an `AsyncSequence` of batches that catches up from an offset by
/// reading the log, then follows appends through a bounded buffer. It ends normally
/// when the log closes, and with `LogTailError.lagged` when the subscriber falls too
/// far behind. Damaged batches met during catch-up are skipped with a warning unless
/// `stopAtDamage` was asked for.
public struct LogSubscription: AsyncSequence, Sendable {
    public typealias Element = LogBatch
    public typealias Failure = LogTailError

    let state: LogState
    let fileSystem: any LogFileSystem
    let fromOffset: UInt64
    let stopAtDamage: Bool
    let onDamage: @Sendable (CorruptionError) -> Void

    public func makeAsyncIterator() -> Iterator {
        Iterator(subscription: self)
    }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = LogBatch
        public typealias Failure = LogTailError

        private let subscription: LogSubscription
        private var reader: LogReader?
        private var channel: Registration?
        private var lastDelivered: UInt64?
        private var ended = false

        init(subscription: LogSubscription) {
            self.subscription = subscription
        }

        public mutating func next() async throws(LogTailError) -> LogBatch? {
            if ended { return nil }
            if channel == nil {
                if let batch = try catchUp() { return deliver(batch) }
                if ended { return nil }
            }
            guard let channel else { return nil }
            switch await channel.channel.next() {
            case .batch(let batch): return deliver(batch)
            case .lagged:
                ended = true
                throw .lagged(lastDeliveredOffset: lastDelivered)
            case .end:
                ended = true
                return nil
            }
        }

        private mutating func deliver(_ batch: LogBatch) -> LogBatch? {
            if batch.events.isEmpty { return batch }
            lastDelivered = batch.endOffset - 1
            return batch
        }

        /// Reads the log until caught up, then registers for live pushes.
        private mutating func catchUp() throws(LogTailError) -> LogBatch? {
            let reader = self.reader ?? LogReader(state: subscription.state, fileSystem: subscription.fileSystem, fromOffset: subscription.fromOffset)
            self.reader = reader
            while true {
                do {
                    while let batch = subscription.stopAtDamage ? try reader.next() : try reader.nextIntact(onDamage: subscription.onDamage) {
                        if !batch.events.isEmpty { return batch }
                    }
                } catch {
                    ended = true
                    throw .log(error)
                }
                let caughtUp = reader.nextOffset
                let channel = TailChannel(fromOffset: caughtUp)
                if let id = subscription.state.register(channel, caughtUpTo: caughtUp) {
                    self.channel = Registration(state: subscription.state, id: id, channel: channel)
                    self.reader = nil
                    return nil
                }
            }
        }
    }

    /// Unregisters the subscriber when its iterator goes away.
    final class Registration: Sendable {
        let state: LogState
        let id: Int
        let channel: TailChannel

        init(state: LogState, id: Int, channel: TailChannel) {
            self.state = state
            self.id = id
            self.channel = channel
        }

        deinit { state.unregister(id) }
    }
}
