import EventStore

public enum AlertStatus: String, Codable, Sendable, Equatable {
    case active
    case acknowledged
    case resolved
}

/// Counts per severity.
public struct SeverityCounts: Codable, Sendable, Equatable {
    public var critical: UInt64 = 0
    public var warning: UInt64 = 0
    public var info: UInt64 = 0

    public init() {}

    public subscript(severity: AlertSeverity) -> UInt64 {
        get {
            switch severity {
            case .critical: critical
            case .warning: warning
            case .info: info
            }
        }
        set {
            switch severity {
            case .critical: critical = newValue
            case .warning: warning = newValue
            case .info: info = newValue
            }
        }
    }

    mutating func add(_ other: SeverityCounts) {
        critical += other.critical
        warning += other.warning
        info += other.info
    }
}

/// One occurrence of an alert, from its first raise to its resolution.
public struct AlertRecord: Codable, Sendable, Equatable {
    public var raised: AlertFields
    public var firstRaisedNs: Int64
    /// The latest raise of this occurrence; alerts are ordered by it.
    public var raisedNs: Int64
    /// The log offset of the latest raise, to order alerts raised in the same nanosecond.
    public var raisedOffset: UInt64
    public var raiseCount: UInt64
    public var status: AlertStatus
    public var acknowledgedNs: Int64?
    public var acknowledgedBy: String?
    public var resolvedNs: Int64?

    init(_ alert: AlertRaised, atNs timeNs: Int64, offset: UInt64) {
        raised = AlertFields(alert)
        firstRaisedNs = timeNs
        raisedNs = timeNs
        raisedOffset = offset
        raiseCount = 1
        status = .active
    }

    /// A re-raise of an open alert refreshes its fields and time; an acknowledgement stands.
    mutating func reraise(_ alert: AlertRaised, atNs timeNs: Int64, offset: UInt64) {
        raised = AlertFields(alert)
        raisedNs = timeNs
        raisedOffset = offset
        raiseCount += 1
    }

    /// Newest first: by raise time, then log offset, then id.
    static func newerFirst(_ a: AlertRecord, _ b: AlertRecord) -> Bool {
        if a.raisedNs != b.raisedNs { return a.raisedNs > b.raisedNs }
        if a.raisedOffset != b.raisedOffset { return a.raisedOffset > b.raisedOffset }
        return a.raised.id < b.raised.id
    }
}

/// The fields an `alert` event carries, in a codable form.
public struct AlertFields: Codable, Sendable, Equatable {
    public var id: String
    public var severity: AlertSeverity
    public var kind: String
    public var message: String
    public var connection: String?
    public var metric: String?
    public var threshold: Double?
    public var value: Double?
    public var dataJSON: String?

    init(_ alert: AlertRaised) {
        id = alert.id
        severity = alert.severity
        kind = alert.kind
        message = alert.message
        connection = alert.connection
        metric = alert.metric
        threshold = alert.threshold
        value = alert.value
        dataJSON = alert.dataJSON
    }
}
