import EventStore

/// A moment as served to readers: integer nanoseconds for programs, RFC 3339 for people.
public struct TimeStamp: Encodable, Sendable, Equatable {
    public let timeNs: Int64
    public let time: String

    public init(timeNs: Int64) {
        self.timeNs = timeNs
        self.time = EventTime.formatRFC3339(timeNs)
    }
}
