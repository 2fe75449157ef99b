import Foundation
import Testing
import TestSupport
@testable import EventStore

/// A data directory written by format version 1, committed under fixtures/format-v1,
/// must stay readable, event for event, by every later version.
@Suite struct FixtureFormatV1Tests {
    static let fixtureRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/format-v1")

    /// Regenerates the fixture; run once with TACHO_WRITE_FIXTURE=1, never in CI.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TACHO_WRITE_FIXTURE"] == "1"))
    func writeFixture() async throws {
        let root = Self.fixtureRoot.path
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var options = LogOptions()
        options.fsync = .always
        options.segmentBytesMax = 4096
        options.retentionAgeNs = nil
        let log = try EventLog.open(directory: root + "/data", options: options)
        let events = EventGenerators.metrics(count: 600, seed: 7, seriesCount: 6)
        try await LogTest.appendInBatches(log, events, batchSize: 25)
        await log.waitForMaintenance()
        try await log.close()
        let encoder = EventJSONEncoder()
        let ndjson = events.enumerated().map { encoder.encode($0.element, offset: UInt64($0.offset)) + "\n" }.joined()
        try ndjson.write(toFile: root + "/events.ndjson", atomically: true, encoding: .utf8)
    }

    @Test func fixtureOfFormatVersion1_readsBackExactlyItsEvents() async throws {
        let root = Self.fixtureRoot.path
        let ndjson = try String(contentsOfFile: root + "/events.ndjson", encoding: .utf8)
        let expected = try EventJSONDecoder().decode(ndjson, defaultTimeNs: 0)
        #expect(expected.count == 600)
        // Opened from a copy: opening may repair, and the committed bytes must not change.
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("tacho-fixture-v1-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: root + "/data", toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        var options = LogOptions()
        options.retentionAgeNs = nil
        options.compactOnSeal = false
        let log = try EventLog.open(directory: copy, options: options)
        #expect(log.recovery == RecoveryReport())
        #expect(try log.verify().isEmpty)
        #expect(log.segments().count > 1)
        let reader = log.reader(from: 0)
        var read: [LoggedEvent] = []
        while let batch = try reader.next() { read.append(contentsOf: batch.loggedEvents) }
        #expect(read.map(\.event) == expected)
        #expect(read.map(\.offset) == Array(0..<600))
        try await log.close()
    }
}
