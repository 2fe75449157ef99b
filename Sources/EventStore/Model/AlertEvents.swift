public enum AlertSeverity: String, Sendable, Codable, CaseIterable, Comparable {
    case critical
    case warning
    case info

    public var code: UInt8 {
        switch self {
        case .critical: 0
        case .warning: 1
        case .info: 2
        }
    }

    public init?(code: UInt8) {
        switch code {
        case 0: self = .critical
        case 1: self = .warning
        case 2: self = .info
        default: return nil
        }
    }

    /// Critical sorts first.
    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool { lhs.code < rhs.code }
}

/// An alert raised.
public struct AlertRaised: Sendable, Equatable, Hashable {
    public var id: String
    public var severity: AlertSeverity
    public var kind: String
    public var message: String
    public var connection: String?
    public var metric: String?
    public var threshold: Double?
    public var value: Double?
    /// Free-form details as canonical JSON (an object with sorted keys), kept verbatim.
    public var dataJSON: String?

    public init(
        id: String, severity: AlertSeverity, kind: String, message: String,
        connection: String? = nil, metric: String? = nil, threshold: Double? = nil,
        value: Double? = nil, dataJSON: String? = nil
    ) {
        self.id = id
        self.severity = severity
        self.kind = kind
        self.message = message
        self.connection = connection
        self.metric = metric
        self.threshold = threshold
        self.value = value
        self.dataJSON = dataJSON
    }
}

/// An alert acknowledged.
public struct AlertAck: Sendable, Equatable, Hashable {
    public var id: String
    public var by: String?

    public init(id: String, by: String? = nil) {
        self.id = id
        self.by = by
    }
}

/// An alert resolved.
public struct AlertResolve: Sendable, Equatable, Hashable {
    public var id: String

    public init(id: String) {
        self.id = id
    }
}
