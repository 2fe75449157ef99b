import EventStore
import Testing
@testable import Projections

/// live state = full replay = checkpoint + tail replay, byte for byte, for the whole
/// projection set and the rule engine, over seeded random streams of every event type.
@Suite struct ReplayInvariantTests {
    static let seeds: [UInt64] = [1, 7, 42, 1234, 987_654_321]

    @Test(arguments: seeds)
    func liveState_equalsFullReplay_andCheckpointPlusTail_atRandomCut(seed: UInt64) async throws {
        let directory = HostTestDirectory()
        defer { directory.remove() }
        var generator = ReplayEventGenerator(seed: seed)
        let events = generator.events(2_500)

        let log = try directory.openLog()
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options())
        try await host.recover()
        let running = Task { try await host.run() }
        try await HostTest.appendAndSettle(events, log: log, host: host)
        let live = try await host.encodedState()
        let liveViews = host.snapshot().views
        try await log.close()
        try await running.value

        let reopened = try directory.openLog()
        let logged = try HostTest.readAll(reopened)
        #expect(logged.count > events.count, "seed \(seed): the rules raised no alert, so the outbox went untested")
        let full = HostTest.fold(logged)
        #expect(try HostTest.bytes(full) == live, "seed \(seed): full replay differs from the live state")
        #expect(full.views == liveViews, "seed \(seed)")

        let cut = Int(generator.nextRandom() % UInt64(logged.count))
        let prefix = HostTest.fold(logged[..<cut])
        let restored = try EngineStateCodec.decode(try HostTest.bytes(prefix), as: HostTest.State.self)
        #expect(restored == prefix, "seed \(seed): a checkpoint at \(cut) did not decode to the state encoded")
        let resumed = HostTest.fold(logged[cut...], into: restored)
        #expect(try HostTest.bytes(resumed) == live, "seed \(seed): checkpoint at \(cut) + tail differs from the live state")
        try await reopened.close()
    }

    @Test(arguments: seeds)
    func foldInBatches_ofAnySize_givesTheSameBytes(seed: UInt64) throws {
        var generator = ReplayEventGenerator(seed: seed)
        let logged = generator.events(1_500).enumerated().map { LoggedEvent(offset: UInt64($0.offset), event: $0.element) }
        let whole = try HostTest.bytes(HostTest.fold(logged))
        var state = HostTest.State(rules: .defaults)
        var start = 0
        while start < logged.count {
            let end = min(logged.count, start + 1 + Int(generator.nextRandom() % 200))
            // A checkpoint round trip at every batch boundary.
            state = try EngineStateCodec.decode(try HostTest.bytes(HostTest.fold(logged[start..<end], into: state)), as: HostTest.State.self)
            start = end
        }
        #expect(try HostTest.bytes(state) == whole, "seed \(seed)")
    }
}
