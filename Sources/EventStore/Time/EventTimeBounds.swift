/// The event times a log accepts, as Prometheus's head accepts samples: nothing more
/// than `maxFutureNs` ahead of the server's clock (a producer's clock gone wrong
/// would otherwise freeze every live window), and nothing older than the log's
/// newest event time minus the retention (retention would delete it at once; a
/// recording that old belongs in a directory of its own).
///
/// The newest event time used is capped at the clock plus `maxFutureNs`, so a log
/// that was written before these bounds existed, holding an event from 2100, does
/// not refuse today's events.
public struct EventTimeBounds: Sendable, Equatable {
    public static let maxFutureNsDefault: Int64 = 5 * 60 * EventTime.nanosPerSecond

    public var maxFutureNs: Int64
    /// How far behind the log's newest event time a backfill may reach; nil: any age.
    public var retentionNs: Int64?

    public init(maxFutureNs: Int64 = Self.maxFutureNsDefault, retentionNs: Int64?) {
        precondition(maxFutureNs >= 0, "the future tolerance is not negative")
        precondition(retentionNs.map { $0 > 0 } ?? true, "a retention is positive")
        self.maxFutureNs = maxFutureNs
        self.retentionNs = retentionNs
    }

    /// The newest event time retention and backfill are measured from.
    public func referenceNs(newestEventNs: Int64?, nowNs: Int64) -> Int64? {
        newestEventNs.map { min($0, Self.adding(nowNs, maxFutureNs)) }
    }

    /// The accepted range at `nowNs` for a log whose newest event time is `newestEventNs`.
    public func accepted(nowNs: Int64, newestEventNs: Int64?) -> Accepted {
        let latestNs = Self.adding(nowNs, maxFutureNs)
        var earliestNs: Int64?
        if let retentionNs, let reference = referenceNs(newestEventNs: newestEventNs, nowNs: nowNs) {
            earliestNs = reference.subtractingReportingOverflow(retentionNs).partialValue
        }
        return Accepted(earliestNs: earliestNs, latestNs: latestNs, maxFutureNs: maxFutureNs, retentionNs: retentionNs)
    }

    static func adding(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    /// One request's accepted range, with the words to refuse an event outside it.
    public struct Accepted: Sendable, Equatable {
        /// nil: no lower bound.
        public let earliestNs: Int64?
        public let latestNs: Int64
        let maxFutureNs: Int64
        let retentionNs: Int64?

        /// Everything is accepted (import into an empty or archival directory).
        public static let unbounded = Accepted(earliestNs: nil, latestNs: .max, maxFutureNs: .max, retentionNs: nil)

        public func contains(_ timeNs: Int64) -> Bool {
            timeNs <= latestNs && earliestNs.map { timeNs >= $0 } ?? true
        }

        /// Why `timeNs` is refused, or nil when it is accepted.
        public func problem(_ timeNs: Int64) -> String? {
            if timeNs > latestNs {
                return "event time \(EventTime.formatRFC3339(timeNs)) is more than \(Self.duration(maxFutureNs)) ahead of the server's clock "
                    + "(--max-future); fix the producer's clock or its timestamps"
            }
            if let earliestNs, timeNs < earliestNs {
                return "event time \(EventTime.formatRFC3339(timeNs)) is older than the log's newest event time minus the retention of "
                    + "\(retentionNs.map(Self.duration) ?? "?") (before \(EventTime.formatRFC3339(earliestNs))); retention would delete it: "
                    + "import a recording that old into a directory of its own (tacho import --data DIR) and open it with tacho replay --data DIR --serve"
            }
            return nil
        }

        public static func duration(_ ns: Int64) -> String {
            let seconds = ns / EventTime.nanosPerSecond
            if seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
            if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
            if seconds % 60 == 0 { return "\(seconds / 60)m" }
            return "\(seconds)s"
        }
    }
}
