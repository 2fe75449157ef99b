/// Limits of one SSE client's outgoing queue. A client whose queue would pass either
/// limit is too slow: it is dropped rather than grow the server's memory.
public struct SSEBufferLimits: Sendable, Equatable {
    public var messagesMax: Int
    public var bytesMax: Int

    public init(messagesMax: Int = 1024, bytesMax: Int = 4 * 1024 * 1024) {
        precondition(messagesMax >= 1 && bytesMax >= 1, "an SSE buffer must hold at least one message")
        self.messagesMax = messagesMax
        self.bytesMax = bytesMax
    }
}

/// A framed message waiting for one client, with the offset it reflects.
public struct SSEChunk: Sendable, Equatable {
    public var bytes: [UInt8]
    public var offset: UInt64?
    /// The message before framing, for transports that frame it their own way (the
    /// WebSocket stream); nil for keep-alive comments and the resume gate's marker.
    /// Its text shares nothing with `bytes`, so a queued chunk holds about twice its
    /// framed size; the buffer limits count the framed bytes.
    public var message: SSEMessage?

    public init(bytes: [UInt8], offset: UInt64?, message: SSEMessage? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.message = message
    }

    /// A message framed for SSE, keeping the message for other transports.
    public init(_ message: SSEMessage) {
        self.init(bytes: SSEFraming.encode(message), offset: message.id, message: message)
    }
}

/// The bounded outgoing queue of one SSE client, as a pure state machine.
///
/// The producer (`enqueue`) never blocks and the consumer (`next`) waits only when the
/// queue is empty. `Waiter` is whatever the caller parks a waiting consumer with (a
/// continuation in the broadcaster, a plain value in tests); the machine hands it back
/// in an action and never resumes anything itself.
///
/// States: streaming → (queue over a limit) lagged → (the `lagged` message taken) finished;
/// streaming → (`finish`) draining → (queue taken) finished.
public struct SSEClientBuffer<Waiter> {
    public enum EnqueueAction {
        /// The consumer was waiting: resume it with this chunk.
        case resume(Waiter, SSEChunk)
        case buffered
        /// The queue was over a limit: everything queued was dropped and the client will
        /// get only the final `lagged` message. Count it once.
        case becameLagged
        /// The client is already lagged or finished; the message is not for it.
        case ignored
    }

    public enum NextAction {
        case deliver(SSEChunk)
        /// Nothing queued: park the consumer; an enqueue or finish hands it back.
        case wait
        /// The stream is over: close the response.
        case end
    }

    public enum FinishAction {
        /// The consumer was waiting: resume it with end of stream.
        case resumeWithEnd(Waiter)
        case none
    }

    private enum State {
        case streaming(waiter: Waiter?)
        case lagged
        case draining
        case finished
    }

    public let limits: SSEBufferLimits
    private let laggedChunk: SSEChunk
    private var state: State = .streaming(waiter: nil)
    private var queue = ChunkQueue()
    public private(set) var queuedBytes = 0

    public init(limits: SSEBufferLimits, laggedMessage: SSEMessage) {
        precondition(laggedMessage.id == nil, "the lagged message must not move the client's Last-Event-ID")
        self.limits = limits
        self.laggedChunk = SSEChunk(laggedMessage)
    }

    public var queuedMessages: Int { queue.count }

    public var isLagged: Bool {
        if case .lagged = state { return true }
        return false
    }

    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    public mutating func enqueue(_ chunk: SSEChunk) -> EnqueueAction {
        switch state {
        case .streaming(let waiter?):
            assert(queue.isEmpty, "a consumer waits only on an empty queue")
            state = .streaming(waiter: nil)
            return .resume(waiter, chunk)
        case .streaming(nil):
            if queue.count + 1 > limits.messagesMax || queuedBytes + chunk.bytes.count > limits.bytesMax {
                queue.removeAll()
                queuedBytes = 0
                state = .lagged
                return .becameLagged
            }
            queue.append(chunk)
            queuedBytes += chunk.bytes.count
            return .buffered
        case .lagged, .draining, .finished:
            return .ignored
        }
    }

    /// The consumer asks for the next chunk; `waiter` is parked when the answer is `.wait`.
    public mutating func next(_ waiter: Waiter) -> NextAction {
        switch state {
        case .streaming(let parked):
            precondition(parked == nil, "one consumer per client")
            if let chunk = popFirst() { return .deliver(chunk) }
            state = .streaming(waiter: waiter)
            return .wait
        case .lagged:
            state = .finished
            return .deliver(laggedChunk)
        case .draining:
            if let chunk = popFirst() { return .deliver(chunk) }
            state = .finished
            return .end
        case .finished:
            return .end
        }
    }

    /// The server ends the stream (shutdown): what is queued is still delivered, then end.
    public mutating func finish() -> FinishAction {
        switch state {
        case .streaming(let waiter):
            if let waiter {
                state = .finished
                return .resumeWithEnd(waiter)
            }
            state = queue.isEmpty ? .finished : .draining
            return .none
        case .lagged, .draining, .finished:
            return .none
        }
    }

    /// The client went away: drop everything at once.
    public mutating func cancel() -> FinishAction {
        let waiter: Waiter?
        if case .streaming(let parked) = state { waiter = parked } else { waiter = nil }
        queue.removeAll()
        queuedBytes = 0
        state = .finished
        return waiter.map { .resumeWithEnd($0) } ?? .none
    }

    private mutating func popFirst() -> SSEChunk? {
        guard let chunk = queue.popFirst() else { return nil }
        queuedBytes -= chunk.bytes.count
        assert(queuedBytes >= 0, "queued byte count went negative")
        return chunk
    }
}

/// A FIFO with amortised O(1) pops (the Server target does not link DequeModule).
private struct ChunkQueue {
    private var storage: [SSEChunk] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ chunk: SSEChunk) { storage.append(chunk) }

    mutating func popFirst() -> SSEChunk? {
        guard head < storage.count else { return nil }
        let chunk = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return chunk
    }

    mutating func removeAll() {
        storage = []
        head = 0
    }
}
