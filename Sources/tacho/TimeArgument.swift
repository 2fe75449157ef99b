import ArgumentParser
import EventStore

/// A point in time on the command line: RFC 3339 or integer nanoseconds since the epoch.
struct TimeArgument: ExpressibleByArgument, Sendable {
    let nanos: Int64

    init?(argument: String) {
        guard let nanos = EventTime.parse(argument) else { return nil }
        self.nanos = nanos
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
