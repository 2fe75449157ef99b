import Foundation
import Testing
import TestSupport
@testable import EventStore

/// Shared helpers of the log tests.
enum LogTest {
    static let directory = "/sim/data"

    static func options(_ configure: (inout LogOptions) -> Void = { _ in }) -> LogOptions {
        var options = LogOptions()
        options.fsync = .never
        options.compactOnSeal = false
        options.retentionAgeNs = nil
        options.sparseIndexIntervalBytes = 1
        configure(&options)
        return options
    }

    static func open(_ fs: SimulatedFileSystem, _ options: LogOptions = options()) throws -> EventLog {
        try EventLog.open(directory: directory, options: options, fileSystem: fs)
    }

    /// Every event the log holds, skipping damage; with the damage met.
    static func readAll(_ log: EventLog, from offset: UInt64 = 0) throws -> (events: [LoggedEvent], damage: [CorruptionError]) {
        let reader = log.reader(from: offset)
        var events: [LoggedEvent] = []
        var damage: [CorruptionError] = []
        while true {
            do {
                guard let batch = try reader.next() else { break }
                events.append(contentsOf: batch.loggedEvents)
            } catch {
                guard case .corruption(let corruption) = error else { throw error }
                damage.append(corruption)
                try reader.skipDamaged()
            }
            if damage.count > 100 { Issue.record("reader does not make progress past damage"); break }
        }
        return (events, damage)
    }

    /// Every event a live tail delivers from `offset` until the log closes.
    static func tailAll(_ log: EventLog, from offset: UInt64 = 0) async throws -> [LoggedEvent] {
        var events: [LoggedEvent] = []
        for try await batch in log.subscribe(from: offset) { events.append(contentsOf: batch.loggedEvents) }
        return events
    }

    /// Appends events in batches of `batchSize`, one append (so one frame) each.
    static func appendInBatches(_ log: EventLog, _ events: [Event], batchSize: Int) async throws {
        var start = 0
        while start < events.count {
            let end = min(start + batchSize, events.count)
            _ = try await log.append(Array(events[start..<end]))
            start = end
        }
    }

    static func segmentPath(_ base: UInt64 = 0) -> String {
        directory + "/log/" + LogFormat.segmentFileName(baseOffset: base)
    }

    /// Positions of every batch of the active segment (the index holds one per batch here).
    static func batchPositions(_ log: EventLog) -> [UInt64] {
        log.state.allSegments.last!.index.entries.map(\.position)
    }
}
