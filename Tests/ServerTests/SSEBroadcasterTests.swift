import Testing
@testable import Server

@Suite struct SSEBroadcasterTests {
    @Test func broadcast_reachesEverySubscriberInOrder() async throws {
        let broadcaster = SSEBroadcaster(limits: .init(messagesMax: 16, bytesMax: 1 << 16))
        let first = try await broadcaster.subscribe()
        let second = try await broadcaster.subscribe()
        for offset in UInt64(0)..<3 { await broadcaster.broadcast(SSEMessage(event: "metrics", id: offset, data: "{}")) }
        await broadcaster.finishAll()
        var firstOffsets: [UInt64?] = []
        for await chunk in first { firstOffsets.append(chunk.offset) }
        var secondOffsets: [UInt64?] = []
        for await chunk in second { secondOffsets.append(chunk.offset) }
        #expect(firstOffsets == [0, 1, 2])
        #expect(secondOffsets == [0, 1, 2])
        #expect(await broadcaster.clientCount == 0)
    }

    @Test func broadcast_toWaitingSubscriber_resumesIt() async throws {
        let broadcaster = SSEBroadcaster()
        let subscription = try await broadcaster.subscribe()
        async let received: SSEChunk? = {
            var iterator = subscription.makeAsyncIterator()
            return await iterator.next()
        }()
        // Sending repeatedly until it arrives would hide a lost wake-up; instead send
        // once the consumer is parked or not: both orders must deliver.
        await broadcaster.broadcast(SSEMessage(event: "health", id: 5, data: "{}"))
        #expect(await received?.offset == 5)
    }

    @Test func slowSubscriber_getsLaggedAndIsDropped_whileOthersKeepStreaming() async throws {
        let metrics = EngineMetrics()
        let broadcaster = SSEBroadcaster(limits: .init(messagesMax: 3, bytesMax: 1 << 16), metrics: metrics)
        let slow = try await broadcaster.subscribe()
        let fast = try await broadcaster.subscribe()
        var fastIterator = fast.makeAsyncIterator()
        var fastOffsets: [UInt64?] = []
        for offset in UInt64(0)..<10 {
            await broadcaster.broadcast(SSEMessage(event: "metrics", id: offset, data: "{}"))
            fastOffsets.append(await fastIterator.next()?.offset)
        }
        #expect(fastOffsets == (0..<10).map { $0 })
        var slowChunks: [SSEChunk] = []
        for await chunk in slow { slowChunks.append(chunk) }
        #expect(slowChunks.count == 1)
        #expect(String(decoding: slowChunks[0].bytes, as: UTF8.self).hasPrefix("event: lagged\n"))
        #expect(metrics.snapshot().sseLaggedDisconnects == 1)
        #expect(metrics.snapshot().sseClients == 1)
        await fast.cancel()
        #expect(metrics.snapshot().sseClients == 0)
    }

    @Test func subscribe_beyondClientsMax_isRefused() async throws {
        let broadcaster = SSEBroadcaster(clientsMax: 1)
        _ = try await broadcaster.subscribe()
        await #expect(throws: SSESubscribeError(clientsMax: 1)) { try await broadcaster.subscribe() }
    }

    @Test func subscribe_afterFinishAll_endsAtOnce() async throws {
        let broadcaster = SSEBroadcaster()
        await broadcaster.finishAll()
        var iterator = try await broadcaster.subscribe().makeAsyncIterator()
        #expect(await iterator.next() == nil)
    }

    @Test func cancellingTheConsumingTask_unregistersTheClient() async throws {
        let broadcaster = SSEBroadcaster()
        let subscription = try await broadcaster.subscribe()
        let task = Task {
            var count = 0
            for await _ in subscription { count += 1 }
            return count
        }
        task.cancel()
        _ = await task.value
        // The cancellation handler unregisters in a task of its own; an explicit cancel
        // (idempotent) makes the count deterministic.
        await subscription.cancel()
        #expect(await broadcaster.clientCount == 0)
    }
}
