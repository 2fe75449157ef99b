import EventStore
import Testing
@testable import Projections
@testable import Runtime

@Suite struct UpdateBroadcasterTests {
    @Test func aSubscriberThatFallsBehind_isToldWhatItsBufferDropped_inTheNextUpdate() async {
        let broadcaster = UpdateBroadcaster(bufferedMax: 2, subscribersMax: 4)
        let updates = broadcaster.subscribe()
        let types: [EventType] = [.metric, .breaker, .alert, .cache, .op]
        for (index, type) in types.enumerated() {
            broadcaster.publish(EngineUpdate(offset: UInt64(index), eventTypes: [type]))
        }
        broadcaster.publish(EngineUpdate(offset: 5, eventTypes: [.metric]))
        broadcaster.finish()
        var received: [EngineUpdate] = []
        for await update in updates { received.append(update) }
        // Buffered: two updates of the newest offset, the last holding every type published.
        #expect(received.count == 2)
        #expect(received.last?.offset == 5)
        #expect(received.last?.eventTypes == Set(types), "the newest update took over what the dropped ones said")
        #expect((received.last?.droppedBefore ?? 0) > 0, "and says updates were dropped")
    }

    @Test func aSubscriberThatKeepsUp_getsEachUpdateAsPublished() async {
        let broadcaster = UpdateBroadcaster(bufferedMax: 8, subscribersMax: 4)
        let updates = broadcaster.subscribe()
        let published = (0..<5).map { EngineUpdate(offset: UInt64($0), eventTypes: [.metric]) }
        for update in published { broadcaster.publish(update) }
        broadcaster.finish()
        var received: [EngineUpdate] = []
        for await update in updates { received.append(update) }
        #expect(received == published)
    }
}
