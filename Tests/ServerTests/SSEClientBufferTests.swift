import Testing
@testable import Server

@Suite struct SSEClientBufferTests {
    private let lagged = SSEMessage(event: "lagged", data: "{}")

    private func chunk(_ offset: UInt64, bytes: Int = 10) -> SSEChunk {
        SSEChunk(bytes: Array(repeating: 0x61, count: bytes), offset: offset)
    }

    private func delivered(_ action: SSEClientBuffer<Int>.NextAction) -> SSEChunk? {
        if case .deliver(let chunk) = action { return chunk }
        return nil
    }

    @Test func next_whenEmpty_parksWaiter_andEnqueueResumesIt() {
        var buffer = SSEClientBuffer<Int>(limits: .init(messagesMax: 4, bytesMax: 1000), laggedMessage: lagged)
        guard case .wait = buffer.next(7) else { Issue.record("expected wait"); return }
        guard case .resume(let waiter, let resumed) = buffer.enqueue(chunk(1)) else { Issue.record("expected resume"); return }
        #expect(waiter == 7)
        #expect(resumed.offset == 1)
        #expect(buffer.queuedMessages == 0)
    }

    @Test func enqueue_withoutWaiter_buffersInOrder() {
        var buffer = SSEClientBuffer<Int>(limits: .init(messagesMax: 4, bytesMax: 1000), laggedMessage: lagged)
        for offset in 1...3 {
            guard case .buffered = buffer.enqueue(chunk(UInt64(offset))) else { Issue.record("expected buffered"); return }
        }
        #expect(buffer.queuedBytes == 30)
        #expect([1, 2, 3].map { _ in delivered(buffer.next(0))?.offset } == [1, 2, 3])
        #expect(buffer.queuedBytes == 0)
    }

    @Test func enqueue_whenMessageLimitReached_dropsQueue_thenDeliversLaggedAndEnds() {
        var buffer = SSEClientBuffer<Int>(limits: .init(messagesMax: 2, bytesMax: 1000), laggedMessage: lagged)
        _ = buffer.enqueue(chunk(1))
        _ = buffer.enqueue(chunk(2))
        guard case .becameLagged = buffer.enqueue(chunk(3)) else { Issue.record("expected lagged"); return }
        #expect(buffer.queuedBytes == 0)
        #expect(buffer.queuedMessages == 0)
        guard case .ignored = buffer.enqueue(chunk(4)) else { Issue.record("a lagged client takes nothing more"); return }
        let last = delivered(buffer.next(0))
        #expect(last.map { String(decoding: $0.bytes, as: UTF8.self) } == "event: lagged\ndata: {}\n\n")
        #expect(last?.offset == nil)
        guard case .end = buffer.next(0) else { Issue.record("expected end after lagged"); return }
        #expect(buffer.isFinished)
    }

    @Test func enqueue_whenByteLimitWouldBePassed_becomesLagged() {
        var buffer = SSEClientBuffer<Int>(limits: .init(messagesMax: 100, bytesMax: 25), laggedMessage: lagged)
        _ = buffer.enqueue(chunk(1))
        _ = buffer.enqueue(chunk(2))
        guard case .becameLagged = buffer.enqueue(chunk(3)) else { Issue.record("expected lagged at 30 > 25 bytes"); return }
    }

    @Test func finish_withQueuedMessages_deliversThemThenEnds() {
        var buffer = SSEClientBuffer<Int>(limits: .init(messagesMax: 4, bytesMax: 1000), laggedMessage: lagged)
        _ = buffer.enqueue(chunk(1))
        guard case .none = buffer.finish() else { Issue.record("nobody waiting"); return }
        guard case .ignored = buffer.enqueue(chunk(2)) else { Issue.record("a finishing stream takes nothing more"); return }
        #expect(delivered(buffer.next(0))?.offset == 1)
        guard case .end = buffer.next(0) else { Issue.record("expected end"); return }
    }

    @Test func finish_withWaiter_resumesItWithEnd() {
        var buffer = SSEClientBuffer<Int>(limits: .init(messagesMax: 4, bytesMax: 1000), laggedMessage: lagged)
        _ = buffer.next(9)
        guard case .resumeWithEnd(9) = buffer.finish() else { Issue.record("expected waiter back"); return }
        guard case .end = buffer.next(0) else { Issue.record("expected end"); return }
    }

    @Test func cancel_dropsQueueAtOnce() {
        var buffer = SSEClientBuffer<Int>(limits: .init(messagesMax: 4, bytesMax: 1000), laggedMessage: lagged)
        _ = buffer.enqueue(chunk(1))
        _ = buffer.cancel()
        #expect(buffer.queuedBytes == 0)
        guard case .end = buffer.next(0) else { Issue.record("expected end"); return }
    }
}
