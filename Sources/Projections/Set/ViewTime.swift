import EventStore

/// Times in views are given twice: integer nanoseconds for programs, RFC 3339 for people.
enum ViewTime {
    static func text(_ timeNs: Int64?) -> String? {
        timeNs.map(EventTime.formatRFC3339)
    }
}
