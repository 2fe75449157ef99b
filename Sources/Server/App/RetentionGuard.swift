import EventStore
import Foundation

/// Refuses to start a server whose retention would delete data the directory already
/// holds, unless the operator named that retention: opening an archived incident
/// must never destroy it. A serving directory soon holds events stamped now (the
/// collector's, the demo's, any producer's), so retention is measured from now or
/// the log's newest event time, whichever is later.
public struct RetentionGuard: Sendable {
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public let dataDirectory: String
        public let retentionSeconds: Int64
        public let segments: Int
        public let events: UInt64
        public let oldestNs: Int64
        public let newestAtRiskNs: Int64

        public var description: String {
            "\(dataDirectory) holds \(events) events in \(segments) segments from \(EventTime.formatRFC3339(oldestNs)) "
                + "to \(EventTime.formatRFC3339(newestAtRiskNs)) that the default retention of \(EventTimeBounds.Accepted.duration(retentionSeconds * EventTime.nanosPerSecond)) "
                + "would delete once this server appends events stamped now. To keep them, open the directory read-only with "
                + "`tacho replay --data \(dataDirectory) --serve`, or serve it with `--retention none` (or a longer one); "
                + "to delete them, name the retention explicitly (`--retention 7d`)."
        }
    }

    /// Checks `options.dataDirectory` (absent or empty: nothing to protect).
    public static func check(_ options: ServerOptions, nowNs: Int64) throws(Refusal) {
        guard !options.retentionExplicit, let retentionSeconds = options.retentionSeconds else { return }
        guard FileManager.default.fileExists(atPath: options.dataDirectory + "/log"),
              let log = try? ReadOnlyEventLog.open(directory: options.dataDirectory)
        else { return }
        let bounds = options.eventTimeBounds
        let newest = log.segments().compactMap(\.maxTimeNs).max()
        let reference = max(bounds.referenceNs(newestEventNs: newest, nowNs: nowNs) ?? nowNs, nowNs)
        let cutoff = reference - retentionSeconds * EventTime.nanosPerSecond
        let atRisk = log.segments().filter { ($0.maxTimeNs ?? .max) < cutoff }
        guard !atRisk.isEmpty else { return }
        throw Refusal(
            dataDirectory: options.dataDirectory, retentionSeconds: retentionSeconds, segments: atRisk.count,
            events: atRisk.reduce(0) { $0 + $1.eventCount }, oldestNs: atRisk.compactMap(\.minTimeNs).min() ?? cutoff,
            newestAtRiskNs: atRisk.compactMap(\.maxTimeNs).max() ?? cutoff)
    }
}
