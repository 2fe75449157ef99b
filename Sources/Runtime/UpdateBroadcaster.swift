import EventStore
import Projections
import Synchronization

/// Fans engine updates out to live subscribers, each with its own bounded buffer
/// (`bufferingNewest`): a slow subscriber loses old updates, never holds up the fold.
/// Not silently: what a dropped update said (its event types, and that updates were
/// dropped) is taken over by the newest update in the buffer.
final class UpdateBroadcaster: Sendable {
    private struct Subscriber {
        let continuation: AsyncStream<EngineUpdate>.Continuation
    }

    private struct State: ~Copyable {
        var subscribers: [Int: Subscriber] = [:]
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
            state.subscribers[state.nextID] = Subscriber(continuation: continuation)
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
            for subscriber in state.subscribers.values {
                var sent = update
                while case .dropped(let oldest) = subscriber.continuation.yield(sent) {
                    // The buffer was full and lost its oldest update: an update carrying what
                    // that one said goes in after the one just sent (the same offset), until
                    // the newest update holds every event type dropped. Types only grow, so
                    // this ends within as many rounds as there are event types.
                    let types = sent.eventTypes.union(oldest.eventTypes)
                    if types == sent.eventTypes { break }
                    sent = EngineUpdate(offset: sent.offset, eventTypes: types, droppedBefore: sent.droppedBefore + 1 + oldest.droppedBefore)
                }
            }
        }
    }

    func finish() {
        let ended = state.withLock { state in
            state.finished = true
            defer { state.subscribers.removeAll() }
            return state.subscribers.values.map(\.continuation)
        }
        for continuation in ended { continuation.finish() }
    }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}
