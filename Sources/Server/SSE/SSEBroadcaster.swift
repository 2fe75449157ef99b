/// Fans live messages out to every connected SSE client, each through its own
/// bounded `SSEClientBuffer`: a message is framed once, and a client too slow to keep
/// up is cut off with `event: lagged` instead of growing the server's memory.
///
/// Memory is bounded by `clientsMax × limits.bytesMax` plus one chunk in flight per client.
public actor SSEBroadcaster {
    typealias Waiter = CheckedContinuation<SSEChunk?, Never>

    public let limits: SSEBufferLimits
    public let clientsMax: Int
    private let metrics: EngineMetrics?
    private let laggedMessage: SSEMessage
    private var clients: [UInt64: SSEClientBuffer<Waiter>] = [:]
    private var nextClientID: UInt64 = 0
    private var isFinished = false

    public init(limits: SSEBufferLimits = SSEBufferLimits(), clientsMax: Int = 10_000, metrics: EngineMetrics? = nil) {
        precondition(clientsMax >= 1, "clientsMax must allow one client")
        self.limits = limits
        self.clientsMax = clientsMax
        self.metrics = metrics
        self.laggedMessage = SSEMessage(
            event: SSEEventName.lagged,
            data: #"{"reason":"client too slow: buffer of \#(limits.messagesMax) messages or \#(limits.bytesMax) bytes exceeded","action":"reconnect with Last-Event-ID"}"#)
    }

    public var clientCount: Int { clients.count }

    /// Registers a client. Subscribe before reading the log for a replay, so nothing
    /// appended meanwhile is missed. After `finishAll` the subscription ends at once.
    public func subscribe() throws(SSESubscribeError) -> SSESubscription {
        guard clients.count < clientsMax else { throw SSESubscribeError(clientsMax: clientsMax) }
        let id = nextClientID
        nextClientID += 1
        var buffer = SSEClientBuffer<Waiter>(limits: limits, laggedMessage: laggedMessage)
        if isFinished { _ = buffer.finish() }
        clients[id] = buffer
        metrics?.sseClientConnected()
        return SSESubscription(clientID: id, broadcaster: self)
    }

    public func broadcast(_ message: SSEMessage) {
        broadcast(SSEChunk(message))
    }

    /// A `: keep-alive` comment to every client.
    public func broadcastKeepAlive() {
        broadcast(SSEChunk(bytes: SSEFraming.comment(), offset: nil))
    }

    public func broadcast(_ chunk: SSEChunk) {
        for id in clients.keys {
            switch clients[id]!.enqueue(chunk) {
            case .resume(let waiter, let chunk):
                waiter.resume(returning: chunk)
            case .becameLagged:
                metrics?.recordSSELaggedDisconnect()
            case .buffered, .ignored:
                break
            }
        }
    }

    /// Ends every stream (server shutdown): queued messages are still delivered first,
    /// and clients subscribing later end at once.
    public func finishAll() {
        isFinished = true
        for id in clients.keys {
            if case .resumeWithEnd(let waiter) = clients[id]!.finish() {
                waiter.resume(returning: nil)
            }
        }
    }

    func next(clientID: UInt64) async -> SSEChunk? {
        guard clients[clientID] != nil else { return nil }
        return await withCheckedContinuation { (waiter: Waiter) in
            guard clients[clientID] != nil else {
                waiter.resume(returning: nil)
                return
            }
            switch clients[clientID]!.next(waiter) {
            case .deliver(let chunk):
                waiter.resume(returning: chunk)
            case .wait:
                break
            case .end:
                remove(clientID)
                waiter.resume(returning: nil)
            }
        }
    }

    func cancel(clientID: UInt64) {
        guard clients[clientID] != nil else { return }
        if case .resumeWithEnd(let waiter) = clients[clientID]!.cancel() {
            waiter.resume(returning: nil)
        }
        remove(clientID)
    }

    private func remove(_ clientID: UInt64) {
        guard clients.removeValue(forKey: clientID) != nil else { return }
        metrics?.sseClientDisconnected()
    }
}

/// One client's live messages. Iterate it from one task; cancel the task, or call
/// `cancel()`, when the connection goes away.
public struct SSESubscription: AsyncSequence, Sendable {
    public typealias Element = SSEChunk
    public let clientID: UInt64
    let broadcaster: SSEBroadcaster

    public struct AsyncIterator: AsyncIteratorProtocol {
        let clientID: UInt64
        let broadcaster: SSEBroadcaster

        public mutating func next() async -> SSEChunk? {
            let clientID = clientID
            let broadcaster = broadcaster
            return await withTaskCancellationHandler {
                await broadcaster.next(clientID: clientID)
            } onCancel: {
                Task { await broadcaster.cancel(clientID: clientID) }
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(clientID: clientID, broadcaster: broadcaster)
    }

    /// Unregisters the client and frees its buffer; safe to call more than once.
    public func cancel() async {
        await broadcaster.cancel(clientID: clientID)
    }
}

/// Refused because the server already streams to its maximum number of clients.
public struct SSESubscribeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let clientsMax: Int

    public var description: String {
        "live stream refused: already \(clientsMax) clients connected (the configured maximum); retry later or raise the limit"
    }
}
