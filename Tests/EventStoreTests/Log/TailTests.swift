import Testing
import TestSupport
@testable import EventStore

@Suite struct TailTests {
    @Test func subscribe_catchesUpFromTheLog_thenFollowsAppends() async throws {
        let fs = SimulatedFileSystem(seed: 41)
        let log = try LogTest.open(fs)
        let events = EventGenerators.metrics(count: 60)
        _ = try await log.append(Array(events[0..<20]))
        async let tailed = LogTest.tailAll(log, from: 5)
        while log.state.subscriberCount == 0 { await Task.yield() }
        _ = try await log.append(Array(events[20..<40]))
        _ = try await log.append(Array(events[40...]))
        try await log.close()
        let delivered = try await tailed
        #expect(delivered.map(\.offset) == Array(5..<60))
        #expect(delivered.map(\.event) == Array(events[5...]))
    }

    @Test func subscriber_thatFallsBehindTheBuffer_endsWithLagged_andCanResumeFromTheLog() async throws {
        let fs = SimulatedFileSystem(seed: 42)
        let log = try LogTest.open(fs, LogTest.options { $0.tailBufferBatchesMax = 2 })
        let events = EventGenerators.metrics(count: 50)
        var iterator = log.subscribe(from: 0).makeAsyncIterator()
        _ = try await log.append(Array(events[0..<10]))
        let caughtUp = try await iterator.next()
        #expect(caughtUp?.baseOffset == 0)
        // The next call registers for live batches; it is answered by the first push.
        async let firstLive = { var it = iterator; let batch = try await it.next(); return (batch, it) }()
        while log.state.subscriberCount == 0 { await Task.yield() }
        _ = try await log.append(Array(events[10..<20]))
        var (live, rest) = try await firstLive
        #expect(live?.baseOffset == 10)
        for start in stride(from: 20, to: 50, by: 10) { _ = try await log.append(Array(events[start..<(start + 10)])) }
        #expect(try await rest.next()?.baseOffset == 20)
        #expect(try await rest.next()?.baseOffset == 30)
        do {
            live = try await rest.next()
            Issue.record("expected lagged, got \(String(describing: live))")
        } catch {
            #expect(error == .lagged(lastDeliveredOffset: 39))
        }
        let resumed = try LogTest.readAll(log, from: 40).events
        #expect(resumed.map(\.event) == Array(events[40...]))
        try await log.close()
    }
}
