import EventStore
import Logging

/// A leader's publisher: follows the local log and publishes every committed batch
/// frame, as stored, to a JetStream stream, in offset order, each message a run of
/// whole frames under the message limit.
///
/// Exactly once in the stream, whatever fails: each message carries a de-duplication
/// id made from the stream's name and its first offset, and expects the id of the
/// message before it (`Nats-Expected-Last-Msg-Id`), so JetStream refuses a message
/// that would leave a gap or an overlap. After any error, a duplicate or a refusal,
/// the publisher reads where the stream really ends and continues from there.
///
/// `acknowledged` is the offset after the last event JetStream holds: ingest under
/// `--replicate-ack replicated` waits on it. All NATS calls and segment reads run on
/// the publisher's own thread.
public final class LogPublisher: Sendable {
    public let options: ReplicationOptions
    public let status: ReplicationStatus
    /// The offset after the last event the stream holds (JetStream acknowledged).
    public let acknowledged = OffsetWatch()
    private let log: EventLog
    private let worker = BlockingWorker()
    private let core: Core
    private let logger: Logger

    /// Messages published per turn on the worker before progress is reported.
    static let messagesPerTurn = 16

    /// Connects on the publisher's thread at the first use (in the background when no server answers yet).
    public init(log: EventLog, options: ReplicationOptions, logger: Logger = Logger(label: "tacho.replication")) throws(ReplicationError) {
        if let problem = options.problem() { throw .invalidOptions(problem) }
        self.options = options
        self.log = log
        self.logger = logger
        self.status = ReplicationStatus(role: .leader, stream: options.stream)
        self.core = Core(log: log, options: options)
    }

    /// Finds (or creates) the stream and checks it against the local log: throws
    /// `streamAhead` when the stream holds offsets this directory does not, so a
    /// leader that lost its disk cannot overwrite history. False when NATS did not
    /// answer (the publisher keeps trying in `run`).
    public func prepare() async throws(ReplicationError) -> Bool {
        let core = self.core
        let localEnd = log.highWaterMark
        do {
            let end = try await worker.run { try core.synchronize(localEnd: localEnd) }
            acknowledged.advance(to: end)
            status.update {
                $0.connected = true
                $0.streamEndOffset = end
            }
            return true
        } catch let error as ReplicationError {
            if case .nats = error {
                logger.warning("NATS did not answer; publishing starts when it does", metadata: ["error": "\(error)"])
                status.recordError(error)
                return false
            }
            throw error
        } catch {
            throw .nats(operation: "prepare", detail: "\(error)", jetStreamCode: 0)
        }
    }

    /// Publishes until cancelled: what the log holds past the stream's end, then each
    /// new batch as it is committed. Errors are logged, counted and retried.
    public func run() async {
        let core = self.core
        var backoff = RetryBackoff()
        while !Task.isCancelled {
            let localEnd = log.highWaterMark
            do {
                let turn = try await worker.run { try core.publishTurn(localEnd: localEnd, messagesMax: Self.messagesPerTurn) }
                acknowledged.advance(to: turn.end)
                status.update {
                    $0.connected = true
                    $0.streamEndOffset = turn.end
                    $0.lastSequence = max($0.lastSequence, turn.lastSequence)
                    $0.messages += UInt64(turn.messages)
                }
                if backoff.succeeded() { logger.notice("publishing to NATS resumed", metadata: ["streamEnd": "\(turn.end)"]) }
                if turn.caughtUp { await log.waitUntilReadable(max(turn.end, localEnd)) }
            } catch {
                status.recordError(error)
                status.update { $0.connected = false }
                if let stop = error as? ReplicationError, stop.stopsPublishing {
                    logger.critical("replication stopped: \(error)")
                    return
                }
                // Said once per outage; the retries back off and count in /metrics.
                if backoff.failed() { logger.warning("publishing to NATS failed; retrying", metadata: ["error": "\(error)"]) }
                await backoff.wait()
            }
        }
    }

    /// Returns once JetStream holds every event through `offset`; throws
    /// `notReplicated` after the ack timeout (the events stay in the local log).
    public func waitReplicated(through offset: UInt64) async throws(ReplicationError) {
        guard await acknowledged.wait(above: offset, timeout: .milliseconds(options.ackTimeoutMs)) else {
            throw .notReplicated(throughOffset: offset, timeoutMs: options.ackTimeoutMs)
        }
    }

    /// Wakes waiters and stops the thread; call after `run` ended.
    public func shutdown() async {
        acknowledged.close()
        await worker.shutdown()
    }

    /// The publisher's state, touched only on the worker's thread.
    private final class Core: @unchecked Sendable {
        let log: EventLog
        let options: ReplicationOptions
        private lazy var connection = LazyJetStream(options: options, name: "tacho leader")
        /// The connection, made at the first call (a blocking call: on the worker only).
        var nats: NATSJetStream {
            get throws { try connection.get() }
        }
        var synchronized = false
        /// The offset after the last event in the stream.
        var next: UInt64 = 0
        var lastMessageID: String?
        var reader: LogReader?
        /// Frames read but not yet published (the previous message was full).
        var pending: [LogFrame] = []

        init(log: EventLog, options: ReplicationOptions) {
            self.log = log
            self.options = options
        }

        /// Reads where the stream ends (creating it when absent) and starts reading
        /// the log there.
        func synchronize(localEnd: UInt64) throws -> UInt64 {
            synchronized = false
            pending.removeAll()
            reader = nil
            try nats.requireConnected()
            let state: NATSJetStream.StreamState
            if let found = try nats.streamState(options.stream) {
                state = found
            } else {
                try nats.addStream(
                    options.stream, subject: options.subject, replicas: options.replicas, maxMessageBytes: options.messageBytesMax,
                    duplicateWindowNs: Int64(options.duplicateWindowMs) * 1_000_000)
                state = NATSJetStream.StreamState(firstSequence: 0, lastSequence: 0, messages: 0, replicas: options.replicas)
            }
            if state.messages == 0 {
                next = 0
                lastMessageID = nil
            } else {
                guard let last = try nats.message(stream: options.stream, subject: options.subject, sequence: 0) else {
                    throw ReplicationError.nats(operation: "read the last message of \(options.stream)", detail: "the stream has messages but none on \(options.subject)", jetStreamCode: 0)
                }
                let frames: [LogFrame]
                do { frames = try LogFrame.frames(in: last.data, source: "\(options.stream) message \(last.sequence)") } catch {
                    throw ReplicationError.badMessage(stream: options.stream, sequence: last.sequence, detail: "\(error)")
                }
                next = frames.last?.endOffset ?? 0
                lastMessageID = last.messageID
                if next > localEnd { throw ReplicationError.streamAhead(stream: options.stream, streamEnd: next, localEnd: localEnd) }
                try checkSameHistory(frames, sequence: last.sequence)
            }
            reader = log.reader(from: next)
            synchronized = true
            return next
        }

        /// The stream's last message must hold what the local log holds at its offsets:
        /// otherwise another node wrote the stream (a follower promoted while this one
        /// was cut off), and publishing on would splice two histories.
        private func checkSameHistory(_ frames: [LogFrame], sequence: UInt64) throws {
            guard let first = frames.first, let last = frames.last else { return }
            var streamEvents: [Event] = []
            for frame in frames {
                do { streamEvents += try frame.decode(source: "\(options.stream) message \(sequence)").events } catch {
                    throw ReplicationError.badMessage(stream: options.stream, sequence: sequence, detail: "\(error)")
                }
            }
            let reader = log.reader(from: first.baseOffset)
            var localEvents: [Event] = []
            var start: UInt64?
            while localEvents.count < streamEvents.count, let batch = try reader.next() {
                if start == nil { start = batch.baseOffset }
                localEvents += batch.events
            }
            // Offsets the local log no longer holds (retention) cannot be compared.
            guard start == first.baseOffset else { return }
            guard Array(localEvents.prefix(streamEvents.count)) == streamEvents else {
                throw ReplicationError.diverged(stream: options.stream, fromOffset: first.baseOffset, toOffset: last.endOffset)
            }
        }

        /// Publishes up to `messagesMax` messages of what the log holds past the stream's end.
        func publishTurn(localEnd: UInt64, messagesMax: Int) throws -> (end: UInt64, lastSequence: UInt64, messages: Int, caughtUp: Bool) {
            if !synchronized { _ = try synchronize(localEnd: localEnd) }
            var lastSequence: UInt64 = 0
            for sent in 0..<messagesMax {
                let frames = try nextMessageFrames()
                guard let first = frames.first, let last = frames.last else { return (next, lastSequence, sent, true) }
                var data: [UInt8] = []
                data.reserveCapacity(frames.reduce(0) { $0 + $1.bytes.count })
                for frame in frames { data += frame.bytes }
                let id = options.messageID(baseOffset: first.baseOffset)
                let ack: (sequence: UInt64, duplicate: Bool)
                do {
                    ack = try nats.publish(
                        subject: options.subject, data: data, messageID: id, expectLastMessageID: lastMessageID,
                        leader: options.advertisedURL, waitMs: min(options.requestTimeoutMs, Self.publishWaitMsMax))
                } catch {
                    // Unknown whether it was stored: learn where the stream ends first.
                    synchronized = false
                    throw error
                }
                if ack.duplicate {
                    // Stored before (a retry after a lost ack): where it ends is read back.
                    synchronized = false
                    return (next, lastSequence, sent, false)
                }
                next = last.endOffset
                lastMessageID = id
                lastSequence = ack.sequence
            }
            return (next, lastSequence, messagesMax, false)
        }

        /// The frames of the next message, in offset order from `next`, together under
        /// the message limit; empty when the log holds nothing more.
        private func nextMessageFrames() throws -> [LogFrame] {
            let serverMax = try nats.maxPayloadBytes
            let limit = min(options.messageBytesMax, serverMax > 0 ? serverMax : .max) - Self.headerAllowanceBytes
            var frames: [LogFrame] = []
            var size = 0
            var expected = next
            while true {
                guard let frame = try nextFrame() else { break }
                for piece in try fitted(frame, from: expected, limit: limit) {
                    if !frames.isEmpty && size + piece.bytes.count > limit {
                        pending.append(piece)
                        continue
                    }
                    frames.append(piece)
                    size += piece.bytes.count
                    expected = piece.endOffset
                }
                if !pending.isEmpty { break }
            }
            return frames
        }

        /// A publish waits at most this for JetStream's acknowledgement, so a stop during
        /// a NATS outage is not held longer (the publish is retried after a resync).
        static let publishWaitMsMax = 2000

        /// Room left in a message for its headers (id, expected id, leader address).
        static let headerAllowanceBytes = 1024

        private func nextFrame() throws -> LogFrame? {
            if !pending.isEmpty { return pending.removeFirst() }
            guard let reader else { return nil }
            while true {
                do { return try reader.nextFrame() } catch {
                    guard case .corruption(let damage) = error else { throw error }
                    // The stream will miss these offsets: followers stop there and say so.
                    Logger(label: "tacho.replication").error("a damaged batch cannot be published", metadata: ["damage": "\(damage)"])
                    try reader.skipDamaged()
                }
            }
        }

        /// `frame` as it is when it starts at `from` and fits; otherwise re-encoded:
        /// the part from `from` on (batches re-packed by compaction), in frames under `limit`.
        private func fitted(_ frame: LogFrame, from: UInt64, limit: Int) throws -> [LogFrame] {
            if frame.baseOffset >= from && frame.bytes.count <= limit { return [frame] }
            let decoded = try frame.decode(source: "log frame at offset \(frame.baseOffset)")
            let skip = Int(from > decoded.baseOffset ? from - decoded.baseOffset : 0)
            let rest = LogBatch(baseOffset: decoded.baseOffset + UInt64(skip), events: Array(decoded.events.dropFirst(skip)))
            guard let frames = LogFrame.encode(rest, frameBytesMax: limit) else {
                throw ReplicationError.invalidOptions("an event at offset \(rest.baseOffset) does not fit a \(limit)-byte message: raise the NATS servers' max_payload")
            }
            return frames
        }
    }
}
