/// Where a connecting SSE client starts, decided from what it says it has seen and
/// what the log still holds. Pure: the stream handler performs the plan.
public enum SSEResumePlan: Sendable, Equatable {
    /// A new client: live messages only (the handler may send a snapshot first).
    case live
    /// Read the log from `fromOffset` up to the high-water mark, then go live,
    /// skipping live messages already covered (see `SSEResumeGate`).
    case replay(fromOffset: UInt64)
    /// The client's position is gone (deleted by retention, or not in this log at
    /// all): send a `reset` event with a full snapshot, then go live.
    case reset(reason: ResetReason)

    public enum ResetReason: Sendable, Equatable {
        /// The first offset the client needs was deleted by retention.
        case olderThanRetention(requestedOffset: UInt64, earliestRetainedOffset: UInt64)
        /// The client claims an offset the log has not reached (another or a wiped log).
        case aheadOfLog(requestedOffset: UInt64, nextOffset: UInt64)
        /// The views merge several logs (a follower of sharded streams): no one offset
        /// names a position in all of them.
        case mergedLogs
    }

    /// - Parameters:
    ///   - lastEventID: the `Last-Event-ID` header: the last offset the client received.
    ///   - since: the `?since=` query value, the same meaning, for clients that cannot set headers.
    ///     The header wins when both are present: the browser updates it on every message.
    ///   - earliestRetainedOffset: the log's first readable offset, nil when the log is empty.
    ///   - nextOffset: the offset the next appended event will get (the high-water mark).
    public static func decide(
        lastEventID: String?, since: String?, earliestRetainedOffset: UInt64?, nextOffset: UInt64
    ) throws(SSEResumeError) -> SSEResumePlan {
        let raw = nonEmpty(lastEventID) ?? nonEmpty(since)
        guard let raw else { return .live }
        guard let lastSeen = UInt64(raw) else { throw SSEResumeError(value: raw) }
        // The client has lastSeen; it needs lastSeen + 1 onwards. UInt64.max cannot be a
        // real offset, so its successor is treated as ahead of the log.
        let (needed, overflow) = lastSeen.addingReportingOverflow(1)
        if overflow || needed > nextOffset {
            return .reset(reason: .aheadOfLog(requestedOffset: overflow ? lastSeen : needed, nextOffset: nextOffset))
        }
        // An empty log whose next offset is past the client's position means everything
        // the client missed was deleted.
        let earliest = earliestRetainedOffset ?? nextOffset
        if needed < earliest {
            return .reset(reason: .olderThanRetention(requestedOffset: needed, earliestRetainedOffset: earliest))
        }
        return .replay(fromOffset: needed)
    }

    /// `decide` for a feed that may merge several logs: there, a client that names a
    /// position gets every view whole (`reset`), since none of its offsets is one.
    public static func decide(
        lastEventID: String?, since: String?, earliestRetainedOffset: UInt64?, nextOffset: UInt64, resumesByOffset: Bool
    ) throws(SSEResumeError) -> SSEResumePlan {
        guard !resumesByOffset else {
            return try decide(lastEventID: lastEventID, since: since, earliestRetainedOffset: earliestRetainedOffset, nextOffset: nextOffset)
        }
        return (nonEmpty(lastEventID) ?? nonEmpty(since)) == nil ? .live : .reset(reason: .mergedLogs)
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingSpaces, !trimmed.isEmpty else { return nil }
        return trimmed
    }
}

/// A `Last-Event-ID` or `?since=` that is not an offset.
public struct SSEResumeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let value: String

    public var description: String {
        let shown = value.count > 40 ? String(value.prefix(40)) + "…" : value
        return "resume position '\(shown)' is not a log offset: send the decimal offset of the last message received"
    }
}

/// Joins a replay from the log to the live stream with no gap and no duplicate.
///
/// The handler subscribes to live messages *before* reading the log, so nothing appended
/// during the replay is missed; live messages that reflect offsets the replay already
/// covered are then dropped here.
public struct SSEResumeGate: Sendable, Equatable {
    /// The highest offset the replay delivered; nil before any.
    public private(set) var replayedThrough: UInt64?

    public init() {}

    /// Call for each replayed offset, in order.
    public mutating func replayed(_ offset: UInt64) {
        precondition(replayedThrough.map { offset > $0 } ?? true, "replay went backwards")
        replayedThrough = offset
    }

    /// Whether a live message is passed to the client. Messages without an offset
    /// (keep-alive, a summary tied to no event) always pass; several live messages may
    /// reflect one new offset (a `metrics` and a `health` for the same event), so only
    /// offsets the replay already delivered are refused.
    public func admitsLive(offset: UInt64?) -> Bool {
        guard let offset, let through = replayedThrough else { return true }
        return offset > through
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first == " " || scalars.first == "\t" { scalars = scalars.dropFirst() }
        while scalars.last == " " || scalars.last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
