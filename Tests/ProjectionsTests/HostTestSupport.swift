import EventStore
import Foundation
import Testing
@testable import Projections
@testable import Runtime

/// A real log and checkpoint store in a fresh temporary directory.
struct HostTestDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "tacho-host-\(UUID().uuidString)"
    }

    func openLog() throws -> EventLog {
        var options = LogOptions()
        options.fsync = .never
        options.segmentBytesMax = 256 * 1024
        return try EventLog.open(directory: path, options: options)
    }

    func store() throws -> FileCheckpointStore {
        try FileCheckpointStore(directory: path + "/checkpoints")
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

enum HostTest {
    typealias Host = ProjectionHost<ProjectionSet>
    typealias State = EngineState<ProjectionSet>

    static func options(checkpointEveryEvents: UInt64 = 1_000_000, rules: RuleSet = .defaults) -> HostOptions {
        var options = HostOptions()
        options.rules = rules
        options.checkpointEveryEvents = checkpointEveryEvents
        options.checkpointInterval = .seconds(3600)
        options.wallClockNs = { 1_700_000_000_000_000_000 }
        return options
    }

    /// Every event of the log, in offset order.
    static func readAll(_ log: some HostLog, from offset: UInt64 = 0) throws -> [LoggedEvent] {
        let reader = try log.makeReader(fromOffset: offset)
        var events: [LoggedEvent] = []
        while let batch = try reader.next() { events += batch.loggedEvents }
        return events
    }

    /// The state a full replay of `events` gives, rules evaluated but nothing appended.
    static func fold(_ events: some Sequence<LoggedEvent>, into state: State = State(rules: .defaults)) -> State {
        var state = state
        for logged in events { _ = state.apply(logged.event, offset: logged.offset, evaluatingRules: true) }
        return state
    }

    static func bytes(_ state: State) throws -> [UInt8] { try EngineStateCodec.encode(state) }

    /// Appends `events` in chunks and waits until the host has folded everything
    /// the log holds, including the alerts it appended itself.
    static func appendAndSettle(_ events: [Event], chunk: Int = 97, log: EventLog, host: Host) async throws {
        let updates = host.updates()
        var start = 0
        while start < events.count {
            let end = min(start + chunk, events.count)
            _ = try await log.append(Array(events[start..<end]))
            start = end
        }
        try await settle(log: log, host: host, updates: updates)
    }

    static func settle(log: EventLog, host: Host, updates: AsyncStream<EngineUpdate>) async throws {
        if await isSettled(log: log, host: host) { return }
        for await _ in updates where await isSettled(log: log, host: host) { return }
        Issue.record("the host's updates ended before it caught up with the log")
    }

    static func isSettled(log: EventLog, host: Host) async -> Bool {
        let snapshot = host.snapshot()
        return snapshot.alertsWaiting == 0 && snapshot.nextOffset == log.highWaterMark
    }
}
