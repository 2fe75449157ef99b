import EventStore
import Logging

/// A follower's applier: reads the leader's stream with an ordered consumer and
/// appends its batches to the local log at the leader's offsets.
///
/// Where it starts: an empty log from the stream's first retained message (the log
/// then starts at that message's first offset); otherwise from the first message
/// holding offsets past the local log's end, found by a binary search over the
/// stream's sequences. Batches the local log already holds are skipped, so a message
/// delivered twice changes nothing; a message past the local end (the stream lost
/// offsets) stops the follower with `ReplicationError.gap`.
public final class LogFollower: Sendable {
    public let options: ReplicationOptions
    public let status: ReplicationStatus
    private let log: EventLog
    private let worker = BlockingWorker()
    private let core: Core
    private let logger: Logger

    /// How long one fetch waits for the first message before checking for cancellation.
    static let fetchWaitMs = 200
    /// Messages applied per fetch at most.
    static let messagesPerFetch = 64

    public init(log: EventLog, options: ReplicationOptions, logger: Logger = Logger(label: "tacho.replication")) throws(ReplicationError) {
        if let problem = options.problem() { throw .invalidOptions(problem) }
        self.options = options
        self.log = log
        self.logger = logger
        self.status = ReplicationStatus(role: .follower, stream: options.stream)
        self.core = Core(options: options)
        status.update { $0.streamEndOffset = log.highWaterMark }
    }

    /// Applies the stream until cancelled. Transient NATS errors are retried; a gap or
    /// a log that does not follow this stream ends it (logged, in `status`).
    public func run() async {
        do {
            try await apply(untilSequence: nil)
        } catch {
            logger.critical("following stopped: \(error)")
        }
    }

    /// Applies the stream up to the last message it holds now, then returns the
    /// number of events appended (`tacho restore`).
    @discardableResult
    public func catchUp() async throws -> UInt64 {
        let last = try await lastSequenceWhileUnavailable()
        guard let last else { throw ReplicationError.nats(operation: "find stream \(options.stream)", detail: "no such stream", jetStreamCode: 0) }
        let before = log.highWaterMark
        try await apply(untilSequence: last)
        return log.highWaterMark - before
    }

    /// The stream's last sequence (nil: no such stream). A cluster that just lost a node
    /// answers stream info with a timeout until it has elected the stream's new leader,
    /// so failures are retried with backoff for up to `options.unavailableWaitMs`.
    private func lastSequenceWhileUnavailable() async throws -> UInt64? {
        let core = self.core
        var outage = BoundedOutage(waitMs: options.unavailableWaitMs)
        while true {
            do {
                return try await worker.run { try core.nats.streamState(core.options.stream)?.lastSequence }
            } catch let error as ReplicationError {
                status.recordError(error)
                if outage.isFirstFailure {
                    logger.warning("the stream's cluster cannot answer yet; retrying", metadata: [
                        "error": "\(error)", "waitMs": "\(options.unavailableWaitMs)",
                    ])
                }
                try await outage.failed(error)
            }
        }
    }

    public func shutdown() async {
        await worker.shutdown()
    }

    /// The loop of `run` and `catchUp`: fetch, apply, report; nil runs until cancelled.
    private func apply(untilSequence target: UInt64?) async throws {
        let core = self.core
        var appliedSequence: UInt64 = 0
        var backoff = RetryBackoff()
        // Only a bounded run (`catchUp`) gives up on an unavailable cluster.
        var outage = BoundedOutage(waitMs: options.unavailableWaitMs)
        while !Task.isCancelled {
            if let target, appliedSequence >= target { return }
            let localEnd = log.highWaterMark
            let empty = log.segments().allSatisfy { $0.batchCount == 0 }
            let messages: [NATSJetStream.StoredMessage]
            do {
                messages = try await worker.run { try core.fetch(localEnd: localEnd, logEmpty: empty, messagesMax: Self.messagesPerFetch, waitMs: Self.fetchWaitMs) }
                status.update { $0.connected = true }
                if backoff.succeeded() { logger.notice("reading the stream resumed") }
                outage.succeeded()
            } catch let error as ReplicationError {
                status.recordError(error)
                status.update { $0.connected = false }
                if case .gap = error { throw error }
                if case .badMessage = error { throw error }
                // Said once per outage; the retries back off and count in /metrics.
                if backoff.failed() { logger.warning("reading the stream failed; retrying", metadata: ["error": "\(error)"]) }
                if target != nil {
                    try await outage.failed(error)
                } else {
                    await backoff.wait()
                }
                continue
            }
            for message in messages {
                try await applyMessage(message)
                appliedSequence = message.sequence
            }
            if let target, messages.isEmpty, appliedSequence < target {
                // Messages up to the target were deleted from the stream: nothing more to wait for.
                let last = try await lastSequenceWhileUnavailable() ?? 0
                if core.deliveredThrough >= last { return }
            }
        }
    }

    private func applyMessage(_ message: NATSJetStream.StoredMessage) async throws {
        let source = "\(options.stream) message \(message.sequence)"
        let frames: [LogFrame]
        do { frames = try LogFrame.frames(in: message.data, source: source) } catch {
            throw ReplicationError.badMessage(stream: options.stream, sequence: message.sequence, detail: "\(error)")
        }
        var events: [Event] = []
        var base: UInt64?
        // Whole frames are stored as the leader wrote them; one starting before the local
        // end (a redelivery, or batches re-packed by the leader's compaction) makes the
        // whole message go through the writer's encoder instead.
        var storedFrames: [LogFrame]? = []
        // An empty log takes the stream's offsets from its first message on.
        var expected = log.segments().allSatisfy({ $0.batchCount == 0 }) ? (frames.first?.baseOffset ?? 0) : log.highWaterMark
        for frame in frames where frame.endOffset > expected {
            guard frame.baseOffset <= expected else {
                let error = ReplicationError.gap(stream: options.stream, expected: expected, found: frame.baseOffset)
                status.recordError(error)
                throw error
            }
            let batch: LogBatch
            do { batch = try frame.decode(source: source) } catch {
                throw ReplicationError.badMessage(stream: options.stream, sequence: message.sequence, detail: "\(error)")
            }
            if base == nil { base = expected }
            if frame.baseOffset == expected { storedFrames?.append(frame) } else { storedFrames = nil }
            events.append(contentsOf: batch.events.dropFirst(Int(expected - batch.baseOffset)))
            expected = batch.endOffset
        }
        if let base, !events.isEmpty {
            let batch = LogBatch(baseOffset: base, events: events)
            do {
                if let storedFrames {
                    _ = try await log.appendReplicated(batch, frames: storedFrames)
                } else {
                    _ = try await log.appendReplicated(batch)
                }
            } catch {
                let failure = ReplicationError.localLog("\(error)")
                status.recordError(failure)
                throw failure
            }
        }
        let end = log.highWaterMark
        status.update {
            $0.streamEndOffset = end
            $0.lastSequence = message.sequence
            $0.messages += 1
            if let leader = message.leader { $0.leaderURL = leader }
        }
    }

    /// The follower's consumer, touched only on the worker's thread.
    private final class Core: @unchecked Sendable {
        let options: ReplicationOptions
        private lazy var connection = LazyJetStream(options: options, name: "tacho follower")
        /// The connection, made at the first call (a blocking call: on the worker only).
        var nats: NATSJetStream {
            get throws { try connection.get() }
        }
        var subscription: NATSOrderedSubscription?
        /// The stream sequence of the last message handed out.
        var deliveredThrough: UInt64 = 0

        init(options: ReplicationOptions) {
            self.options = options
        }

        /// Up to `messagesMax` messages: waits up to `waitMs` for the first, takes the rest already there.
        func fetch(localEnd: UInt64, logEmpty: Bool, messagesMax: Int, waitMs: Int) throws -> [NATSJetStream.StoredMessage] {
            if subscription == nil {
                try nats.requireConnected()
                guard let start = try startSequence(localEnd: localEnd, logEmpty: logEmpty) else { return [] }
                subscription = try nats.subscribeOrdered(stream: options.stream, subject: options.subject, startSequence: start)
            }
            var messages: [NATSJetStream.StoredMessage] = []
            do {
                while messages.count < messagesMax, let message = try subscription!.next(timeoutMs: messages.isEmpty ? waitMs : 0) {
                    messages.append(message)
                    deliveredThrough = message.sequence
                }
            } catch {
                subscription = nil
                if messages.isEmpty { throw error }
            }
            return messages
        }

        /// The sequence to consume from; nil while the stream does not exist yet.
        private func startSequence(localEnd: UInt64, logEmpty: Bool) throws -> UInt64? {
            guard let state = try nats.streamState(options.stream) else { return nil }
            if state.messages == 0 { return state.lastSequence + 1 }
            if logEmpty { return state.firstSequence }
            // The first message ending past the local log (messages hold rising offsets).
            var low = state.firstSequence
            var high = state.lastSequence + 1
            while low < high {
                let middle = low + (high - low) / 2
                guard let end = try endOffset(ofFirstMessageFrom: middle, below: high) else {
                    high = middle
                    continue
                }
                if end.offset > localEnd { high = middle } else { low = end.sequence + 1 }
            }
            return low
        }

        /// The end offset of the first message at or after `sequence` (skipping deleted
        /// ones) before `limit`, with its sequence.
        private func endOffset(ofFirstMessageFrom sequence: UInt64, below limit: UInt64) throws -> (offset: UInt64, sequence: UInt64)? {
            var sequence = sequence
            while sequence < limit {
                if let message = try nats.message(stream: options.stream, subject: options.subject, sequence: sequence) {
                    do {
                        let frames = try LogFrame.frames(in: message.data, source: "\(options.stream) message \(sequence)")
                        return (frames.last?.endOffset ?? 0, sequence)
                    } catch {
                        throw ReplicationError.badMessage(stream: options.stream, sequence: sequence, detail: "\(error)")
                    }
                }
                sequence += 1
            }
            return nil
        }
    }
}
