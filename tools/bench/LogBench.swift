import EventStore
import Foundation

/// The log's figures, through `EventLog` on a temporary directory: append
/// throughput with fsync=interval, bytes per event at rest, and scan-verify-decode
/// (reading segment files, checking each batch's CRC32C, LZ4, decoding).
enum LogBench {
    struct AppendRun {
        var seconds: Double
        var storedBytes: UInt64
        var rawBytes: UInt64
        var eventCount: UInt64
    }

    struct AtRest {
        var storedBytes: UInt64 = 0
        var eventCount: UInt64 = 0
        var bytesPerEvent: Double { Double(storedBytes) / Double(max(eventCount, 1)) }
    }

    static func temporaryDirectory(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tacho-bench-\(name)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func bulkOptions() -> LogOptions {
        var options = LogOptions()
        options.fsync = .intervalDefault
        options.retentionAgeNs = nil
        return options
    }

    /// Appends `events` in calls of `chunk` events (a bulk import) and returns the
    /// time until the last append was acknowledged.
    static func appendBulk(_ events: [Event], chunk: Int, directory: String) async throws -> AppendRun {
        let log = try EventLog.open(directory: directory, options: bulkOptions())
        let chunks = stride(from: 0, to: events.count, by: chunk).map { Array(events[$0..<min($0 + chunk, events.count)]) }
        let clock = ContinuousClock()
        let start = clock.now
        for part in chunks { _ = try await log.append(part) }
        let elapsed = clock.now - start
        try await log.close()
        let segments = log.segments()
        return AppendRun(
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            storedBytes: segments.reduce(0) { $0 + $1.storedBytes },
            rawBytes: segments.reduce(0) { $0 + $1.rawBytes },
            eventCount: segments.reduce(0) { $0 + $1.eventCount })
    }

    /// Appends `events` a few at a time, one awaited call each (every call its own
    /// group commit), into small segments that seal and are compacted in the
    /// background; returns the at-rest size before and after compaction.
    static func trickle(_ events: [Event], perCommit: Int, directory: String) async throws -> (raw: AtRest, compacted: AtRest) {
        var options = bulkOptions()
        options.segmentBytesMax = 2 * 1024 * 1024
        options.compactOnSeal = false
        let log = try EventLog.open(directory: directory, options: options)
        var start = 0
        while start < events.count {
            let end = min(start + perCommit, events.count)
            _ = try await log.append(Array(events[start..<end]))
            start = end
        }
        var raw = AtRest()
        var compacted = AtRest()
        for segment in log.segments() where segment.sealed {
            raw.storedBytes += segment.storedBytes
            raw.eventCount += segment.eventCount
            _ = try await log.compactSegment(baseOffset: segment.baseOffset)
        }
        await log.waitForMaintenance()
        for segment in log.segments() where segment.sealed {
            compacted.storedBytes += segment.storedBytes
            compacted.eventCount += segment.eventCount
        }
        try await log.close()
        return (raw, compacted)
    }

    /// Reads every batch of `log` from offset 0 (segment files in the page cache
    /// after the first run); returns the events read.
    static func scan(_ log: EventLog) throws -> Int {
        let reader = log.reader(from: 0)
        var count = 0
        while let batch = try reader.next() {
            count += batch.events.count
        }
        return count
    }
}
