import EventStore

/// The little the health score needs that no other projection keeps: the stretch of
/// event time the monitored system has been reporting without a break (for uptime)
/// and operations and errors per second over the last minute (for the error rate).
/// Every event moves the window's end, so a quiet minute empties it.
///
/// Uptime is the newest unbroken stretch, not first-to-last event: a backfill of
/// last year's incident beside live data, or one producer with a skewed clock, must
/// not make uptime a year. A gap of more than `uptimeGapNs` between event times
/// starts a new stretch; a late event extends the stretch only when it falls within
/// that gap of its start.
public struct HealthProjection: Projection, Mergeable {
    public static let errorWindowSeconds = 60
    /// Event-time silence that ends a stretch of uptime: Prometheus's staleness lookback.
    public static let uptimeGapNs: Int64 = 5 * 60 * 1_000_000_000
    static let opsLane = 0
    static let errorsLane = 1

    public private(set) var firstEventNs: Int64?
    public private(set) var lastEventNs: Int64?
    /// Start of the newest unbroken stretch of event time.
    public private(set) var stretchStartNs: Int64?
    public private(set) var operations = SecondBucketRing(capacitySeconds: errorWindowSeconds, lanes: 2)

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case firstEventNs, lastEventNs, stretchStartNs, operations
    }

    /// Checkpoints written before stretches existed hold none: their span is taken whole.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        firstEventNs = try container.decodeIfPresent(Int64.self, forKey: .firstEventNs)
        lastEventNs = try container.decodeIfPresent(Int64.self, forKey: .lastEventNs)
        stretchStartNs = try container.decodeIfPresent(Int64.self, forKey: .stretchStartNs) ?? firstEventNs
        operations = try container.decode(SecondBucketRing.self, forKey: .operations)
    }

    public mutating func apply(_ event: Event, offset: UInt64) {
        if case .op(let operation) = event.body {
            apply(operation, timeNs: event.timeNs)
        } else {
            noteEventTime(event.timeNs)
            operations.advance(toSecond: SecondBucketRing.second(ofNs: event.timeNs))
        }
    }

    /// `apply` of an operation event (`ProjectionSet` matches the type once for all).
    @inline(__always)
    mutating func apply(_ operation: Operation, timeNs: Int64) {
        noteEventTime(timeNs)
        operations.add(atNs: timeNs, 1, operation.ok ? 0 : 1)
    }

    /// Every event extends or restarts the stretch of uptime.
    private mutating func noteEventTime(_ timeNs: Int64) {
        firstEventNs = min(firstEventNs ?? timeNs, timeNs)
        if let last = lastEventNs, let start = stretchStartNs {
            if timeNs > last {
                if timeNs - last > Self.uptimeGapNs { stretchStartNs = timeNs }
            } else if timeNs < start, start - timeNs <= Self.uptimeGapNs {
                stretchStartNs = timeNs
            }
        } else {
            stretchStartNs = timeNs
        }
        lastEventNs = max(lastEventNs ?? timeNs, timeNs)
    }

    public mutating func merge(_ other: HealthProjection) {
        // Stretches that overlap (within the gap) join; otherwise the newer one stands.
        if let start = stretchStartNs, let last = lastEventNs, let otherStart = other.stretchStartNs, let otherLast = other.lastEventNs {
            if otherStart <= last + Self.uptimeGapNs && start <= otherLast + Self.uptimeGapNs {
                stretchStartNs = min(start, otherStart)
            } else if otherLast > last {
                stretchStartNs = otherStart
            }
        } else if stretchStartNs == nil {
            stretchStartNs = other.stretchStartNs
        }
        firstEventNs = [firstEventNs, other.firstEventNs].compactMap { $0 }.min()
        lastEventNs = [lastEventNs, other.lastEventNs].compactMap { $0 }.max()
        operations.merge(other.operations)
    }

    /// Event time the newest unbroken stretch has lasted; nil before any event.
    public var uptimeNs: Int64? {
        guard let start = stretchStartNs, let last = lastEventNs else { return nil }
        return last - start
    }

    public var operationsLastMinute: Double { operations.sum(lane: Self.opsLane) }

    /// Failed operations as a percentage of all in the last minute; nil without any.
    public var errorPercentLastMinute: Double? {
        let total = operations.sum(lane: Self.opsLane)
        guard total > 0 else { return nil }
        return operations.sum(lane: Self.errorsLane) / total * 100
    }
}
