import EventStore

/// `GET /api/v1/replay`, the answer of `POST /api/v1/replay`, and the stream's `replay`
/// message: where the cursor is and whether it moves.
public struct ReplayStatus: Encodable, Sendable, Equatable {
    public var mode = "replay"
    public var playing: Bool
    /// The cursor is at the range's end with every event of the range folded.
    public var ended: Bool
    /// Event seconds per wall second while playing: a number, or "max".
    public var speed: PlaybackSpeed
    /// The event time the views are as of (every event at or before it, as the longest
    /// prefix of the log, is folded).
    public var cursor: String
    public var cursorNs: Int64
    public var first: String
    public var firstNs: Int64
    public var last: String
    public var lastNs: Int64
    /// The offset of the last event folded; nil before any.
    public var offset: UInt64?
    public var eventsFolded: UInt64
    /// The read error that stopped the replay, if one did.
    public var error: String?

    init(
        playing: Bool, ended: Bool, speed: PlaybackSpeed, cursorNs: Int64, source: ReplaySource, offset: UInt64?,
        eventsFolded: UInt64, error: String?
    ) {
        self.playing = playing
        self.ended = ended
        self.speed = speed
        self.cursor = EventTime.formatRFC3339(cursorNs)
        self.cursorNs = cursorNs
        self.first = EventTime.formatRFC3339(source.firstNs)
        self.firstNs = source.firstNs
        self.last = EventTime.formatRFC3339(source.lastNs)
        self.lastNs = source.lastNs
        self.offset = offset
        self.eventsFolded = eventsFolded
        self.error = error
    }
}

extension PlaybackSpeed: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .max: try container.encode("max")
        case .factor(let value): try container.encode(value)
        }
    }
}
