import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// A finite prelude, as a replay from the log would be.
struct ChunkList: AsyncSequence, Sendable {
    typealias Element = SSEChunk
    let chunks: [SSEChunk]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<SSEChunk>
        mutating func next() async -> SSEChunk? { remaining.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: chunks[...]) }
}

@Suite struct SSEResponseTests {
    private func chunk(_ offset: UInt64) -> SSEChunk {
        SSEChunk(bytes: SSEFraming.encode(SSEMessage(event: "metrics", id: offset, data: "{}")), offset: offset)
    }

    @Test func stream_writesRetryThenReplayThenLiveWithoutDuplicates() async throws {
        let broadcaster = SSEBroadcaster()
        // Subscribed before the replay is read: offsets 11 and 12 arrive live while the
        // replay (10...12) also covers them; only 13 is new.
        let subscription = try await broadcaster.subscribe()
        for offset in UInt64(11)...13 { await broadcaster.broadcast(chunk(offset)) }
        await broadcaster.broadcastKeepAlive()
        await broadcaster.finishAll()
        let router = Router()
        router.get("/stream") { _, _ in
            SSEResponse.make(retryMs: 3000, prelude: ChunkList(chunks: [chunk(10), chunk(11), chunk(12)]), subscription: subscription)
        }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/stream", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream; charset=utf-8")
                #expect(response.headers[.cacheControl] == "no-cache")
                #expect(response.headers[HTTPFields.Element.Name("X-Accel-Buffering")!] == "no")
                let ids = String(buffer: response.body).split(separator: "\n").filter { $0.hasPrefix("id: ") }
                #expect(ids == ["id: 10", "id: 11", "id: 12", "id: 13"])
                #expect(String(buffer: response.body).hasPrefix("retry: 3000\n\n"))
                #expect(String(buffer: response.body).hasSuffix(": keep-alive\n\n"))
            }
        }
        #expect(await broadcaster.clientCount == 0)
    }
}
