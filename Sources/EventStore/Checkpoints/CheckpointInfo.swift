/// One stored checkpoint as its header describes it: the log prefix it covers
/// (offsets below `nextOffset`), the newest event time in that prefix, and its size.
/// The content is only verified when loaded.
public struct CheckpointInfo: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The checkpoint covers offsets `0..<nextOffset`; replay resumes at `nextOffset`.
    public let nextOffset: UInt64
    /// The newest event time folded into it, nil when it covers no event.
    public let eventTimeNs: Int64?
    public let contentSizeBytes: UInt64
    /// The file's name inside the checkpoints directory.
    public let name: String

    public init(nextOffset: UInt64, eventTimeNs: Int64?, contentSizeBytes: UInt64, name: String) {
        self.nextOffset = nextOffset
        self.eventTimeNs = eventTimeNs
        self.contentSizeBytes = contentSizeBytes
        self.name = name
    }

    public var description: String { "checkpoint \(name) (next offset \(nextOffset), \(contentSizeBytes) bytes)" }
}

/// A checkpoint file that cannot be used, and why.
public struct CheckpointDamage: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let name: String
    public let reason: String

    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }

    public var description: String { "\(name): \(reason)" }
}

/// What a checkpoints directory holds: usable headers newest first, and the files
/// whose header is already damaged.
public struct CheckpointListing: Sendable, Equatable {
    /// Highest `nextOffset` first.
    public let checkpoints: [CheckpointInfo]
    public let damaged: [CheckpointDamage]

    public init(checkpoints: [CheckpointInfo], damaged: [CheckpointDamage]) {
        self.checkpoints = checkpoints
        self.damaged = damaged
    }
}
