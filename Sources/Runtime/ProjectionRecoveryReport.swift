import EventStore
import Projections

/// What the projection host recovered from at start, and what it had to skip.
/// (`RecoveryReport` in EventStore is the log's own, about segments.)
public struct ProjectionRecoveryReport: Sendable, Equatable, CustomStringConvertible {
    public enum Start: Sendable, Equatable {
        /// The newest usable checkpoint.
        case checkpoint(CheckpointInfo)
        /// No usable checkpoint: the newest usable view snapshot, at this offset.
        case snapshot(UInt64)
        /// No usable checkpoint or snapshot: the whole log was replayed.
        case fullReplay
    }

    public let start: Start
    /// Checkpoints passed over, newest first, with the reason.
    public let skipped: [CheckpointDamage]
    /// Offset replay started at.
    public let replayedFromOffset: UInt64
    public let replayedEvents: UInt64
    /// Offsets the log no longer holds (retention) between the start and the first event read.
    public let missingEvents: UInt64
    /// Events the state emitted during replay that the log did not hold yet (the
    /// rules' alerts and the health score's samples: the previous run stopped before
    /// appending them, or a build before the samples wrote the log); appended now.
    public let alertsToAppend: Int
    /// The checkpoint's rules differed from the configured ones and were replaced.
    public let rulesReplaced: Bool
    public let nextOffset: UInt64

    public var description: String {
        var parts: [String] = []
        switch start {
        case .checkpoint(let info): parts.append("loaded \(info.name) (next offset \(info.nextOffset))")
        case .snapshot(let offset): parts.append("no usable checkpoint: loaded the view snapshot at offset \(offset)")
        case .fullReplay: parts.append("no usable checkpoint: replayed the whole log")
        }
        for damage in skipped { parts.append("skipped \(damage)") }
        parts.append("replayed \(replayedEvents) events from offset \(replayedFromOffset) to \(nextOffset)")
        if missingEvents > 0 { parts.append("\(missingEvents) events were already removed by retention") }
        if alertsToAppend > 0 { parts.append("\(alertsToAppend) alert and health-sample events re-appended") }
        if rulesReplaced { parts.append("rules replaced by the configured ones") }
        return parts.joined(separator: "; ")
    }
}
