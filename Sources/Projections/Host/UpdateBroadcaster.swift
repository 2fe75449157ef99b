import Synchronization

/// Fans engine updates out to live subscribers, each with its own bounded buffer
/// (`bufferingNewest`): a slow subscriber loses old updates, never holds up the fold.
final class UpdateBroadcaster: Sendable {
    private struct State: ~Copyable {
        var subscribers: [Int: AsyncStream<EngineUpdate>.Continuation] = [:]
        var nextID = 0
        var finished = false
    }

    private let state = Mutex(State())
    private let bufferedMax: Int
    private let subscribersMax: Int

    init(bufferedMax: Int, subscribersMax: Int) {
        precondition(bufferedMax > 0 && subscribersMax > 0, "broadcaster limits must be positive")
        self.bufferedMax = bufferedMax
        self.subscribersMax = subscribersMax
    }

    func subscribe() -> AsyncStream<EngineUpdate> {
        let (stream, continuation) = AsyncStream.makeStream(of: EngineUpdate.self, bufferingPolicy: .bufferingNewest(bufferedMax))
        let id: Int? = state.withLock { state in
            guard !state.finished, state.subscribers.count < subscribersMax else { return nil }
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ update: EngineUpdate) {
        // Yielding under the lock keeps every subscriber's updates in publish order.
        state.withLock { state in
            for continuation in state.subscribers.values { continuation.yield(update) }
        }
    }

    func finish() {
        let ended = state.withLock { state in
            state.finished = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for continuation in ended { continuation.finish() }
    }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}
