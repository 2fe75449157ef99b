import EventStore
import Testing
@testable import Projections

@Suite struct HostRecoveryTests {
    let directory = HostTestDirectory()

    /// A log of `count` random events (no host running) and checkpoints folded at `cuts`.
    func prepare(seed: UInt64, count: Int, cuts: [Int]) async throws -> (log: EventLog, infos: [CheckpointInfo], full: [UInt8]) {
        var generator = ReplayEventGenerator(seed: seed)
        let log = try directory.openLog()
        _ = try await log.append(generator.events(count))
        let logged = try HostTest.readAll(log)
        let store = try directory.store()
        var infos: [CheckpointInfo] = []
        for cut in cuts {
            let state = HostTest.fold(logged[..<cut])
            infos.append(try store.save(try HostTest.bytes(state), nextOffset: state.nextOffset, eventTimeNs: state.eventTimeNs))
        }
        return (log, infos, try HostTest.bytes(HostTest.fold(logged)))
    }

    @Test(arguments: CheckpointDamageKind.allCases)
    func recover_whenNewestCheckpointIsDamaged_usesTheOlderOne_andSaysWhy(damage: CheckpointDamageKind) async throws {
        defer { directory.remove() }
        let (log, infos, full) = try await prepare(seed: 11, count: 1_200, cuts: [300, 600, 900])
        try damage.apply(to: directory.path + "/checkpoints/" + infos[2].name)
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options())
        let report = try await host.recover()
        #expect(report.start == .checkpoint(infos[1]))
        #expect(report.replayedFromOffset == 600)
        #expect(report.replayedEvents == 600)
        switch damage {
        case .missing: #expect(report.skipped.isEmpty)
        case .truncated: #expect(report.skipped.map(\.name) == [infos[2].name])
        case .flippedBit: #expect(report.skipped == [CheckpointDamage(name: infos[2].name, reason: "checksum mismatch")])
        }
        #expect(try await host.encodedState() == full)
        try await log.close()
    }

    @Test func recover_whenEveryCheckpointIsDamaged_replaysTheWholeLog() async throws {
        defer { directory.remove() }
        let (log, infos, full) = try await prepare(seed: 12, count: 800, cuts: [200, 400, 600])
        for (info, damage) in zip(infos, [CheckpointDamageKind.flippedBit, .truncated, .flippedBit]) {
            try damage.apply(to: directory.path + "/checkpoints/" + info.name)
        }
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options())
        let report = try await host.recover()
        #expect(report.start == .fullReplay)
        #expect(Set(report.skipped.map(\.name)) == Set(infos.map(\.name)))
        #expect(report.replayedEvents == 800)
        #expect(try await host.encodedState() == full)
        #expect(report.description.contains("no usable checkpoint"))
        try await log.close()
    }

    @Test func recover_whenACheckpointCoversMoreThanTheLog_skipsIt() async throws {
        defer { directory.remove() }
        let (log, infos, full) = try await prepare(seed: 13, count: 400, cuts: [100])
        let beyond = try directory.store().save([0], nextOffset: 10_000, eventTimeNs: nil)
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options())
        let report = try await host.recover()
        #expect(report.start == .checkpoint(infos[0]))
        #expect(report.skipped.map(\.name) == [beyond.name])
        #expect(report.skipped.first?.reason.contains("past the log's end") == true)
        #expect(try await host.encodedState() == full)
        try await log.close()
    }

    @Test func restart_withACheckpoint_replaysOnlyTheTail() async throws {
        defer { directory.remove() }
        var generator = ReplayEventGenerator(seed: 21)
        var log = try directory.openLog()
        let first = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options())
        try await first.recover()
        let running = Task { try await first.run() }
        try await HostTest.appendAndSettle(generator.events(700), log: log, host: first)
        try await log.close()
        try await running.value
        let checkpointed = first.snapshot()
        #expect(checkpointed.lastCheckpoint?.nextOffset == checkpointed.nextOffset, "run() ends with a checkpoint")

        log = try directory.openLog()
        _ = try await log.append(generator.events(150))
        let second = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options())
        let report = try await second.recover()
        guard case .checkpoint(let info) = report.start else {
            Issue.record("expected a checkpoint, got \(report)")
            return
        }
        #expect(info.nextOffset == checkpointed.nextOffset)
        #expect(report.replayedFromOffset == checkpointed.nextOffset)
        #expect(report.replayedEvents == 150)
        let highWaterMark = log.highWaterMark
        #expect(try await second.encodedState() == HostTest.bytes(HostTest.fold(HostTest.readAll(log)[..<Int(highWaterMark - UInt64(report.alertsToAppend))])))
        try await log.close()
    }

    @Test func recover_reappendsOnlyTheAlertsTheLogDoesNotHold() async throws {
        defer { directory.remove() }
        let startNs: Int64 = 1_700_000_000_000_000_000
        let opening = Event(timeNs: startNs, body: .breaker(BreakerTransition(connection: "db", from: .closed, to: .open, failures: 5)))
        let log = try directory.openLog()
        _ = try await log.append([opening])

        // A previous run stopped after folding the breaker event but before appending its alert.
        let first = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options())
        let firstReport = try await first.recover()
        #expect(firstReport.alertsToAppend > 0)
        #expect(log.highWaterMark == 1 + UInt64(firstReport.alertsToAppend))
        let afterFirst = try HostTest.readAll(log)

        // Replaying again finds those alerts in the log and appends nothing.
        let second = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options())
        let secondReport = try await second.recover()
        #expect(secondReport.start == .fullReplay)
        #expect(secondReport.alertsToAppend == 0)
        #expect(try HostTest.readAll(log) == afterFirst)
        try await log.close()
    }
}
