/// A run of consecutive events read from the log: the offset of the first and the
/// events in offset order.
public struct LogBatch: Sendable, Equatable {
    public let baseOffset: UInt64
    public let events: [Event]

    public init(baseOffset: UInt64, events: [Event]) {
        self.baseOffset = baseOffset
        self.events = events
    }

    /// The offset after the last event.
    public var endOffset: UInt64 { baseOffset + UInt64(events.count) }

    public var loggedEvents: [LoggedEvent] {
        events.enumerated().map { LoggedEvent(offset: baseOffset + UInt64($0.offset), event: $0.element) }
    }
}
