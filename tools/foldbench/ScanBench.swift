import EventStore
import Foundation

/// The ceiling the fold is measured against, in the same run and on the same events:
/// the events appended to a log in a temporary directory in batches of
/// `eventsPerBatch` (tacho-bench's bulk batch), then read back from offset 0 —
/// segment files from the page cache, each batch's CRC32C checked, LZ4 decompressed,
/// every event decoded — as `tacho-bench`'s scan-verify-decode does.
enum ScanBench {
    static let eventsPerBatch = 65_536

    /// The median events/s of `runs` scans.
    static func run(_ events: [Event], runs: Int) async throws -> Double {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tacho-foldbench-scan-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = LogOptions()
        options.retentionAgeNs = nil
        let log = try EventLog.open(directory: directory, options: options)
        var start = 0
        while start < events.count {
            let end = min(start + eventsPerBatch, events.count)
            _ = try await log.append(Array(events[start..<end]))
            start = end
        }
        var rates: [Double] = []
        for _ in 0..<max(1, runs) {
            var read = 0
            let seconds = try Measure.seconds(ContinuousClock().measure {
                let reader = log.reader(from: 0)
                while let batch = try reader.next() { read += batch.events.count }
            })
            precondition(read == events.count, "the scan read \(read) of \(events.count) events")
            rates.append(Double(read) / seconds)
        }
        try await log.close()
        return Measure.median(rates)
    }
}
