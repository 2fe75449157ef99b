/// One thing that happened in a monitored system, as stored in the log.
///
/// The log offset is not part of the event: it is assigned at append and travels
/// beside it (`LoggedEvent`), so the same event value can be appended anywhere.
public struct Event: Sendable, Equatable, Hashable {
    /// Event time: nanoseconds since the Unix epoch, from the producer or stamped at ingest.
    public var timeNs: Int64
    public var body: EventBody

    public init(timeNs: Int64, body: EventBody) {
        self.timeNs = timeNs
        self.body = body
    }

    public var type: EventType { body.type }
}

/// An event with the offset the log assigned to it.
public struct LoggedEvent: Sendable, Equatable, Hashable {
    public let offset: UInt64
    public let event: Event

    public init(offset: UInt64, event: Event) {
        self.offset = offset
        self.event = event
    }
}

/// The large, rare bodies are `indirect` so that an `Event` stays small (about 48
/// bytes): arrays of metric events are what scans and folds move by the million.
public enum EventBody: Sendable, Equatable, Hashable {
    case metric(MetricSample)
    case op(Operation)
    indirect case breaker(BreakerTransition)
    indirect case connection(ConnectionReport)
    indirect case alert(AlertRaised)
    case alertAck(AlertAck)
    case alertResolve(AlertResolve)
    indirect case optimization(OptimizationChange)
    indirect case cache(CacheReport)
    indirect case batch(BatchReport)
    indirect case annotation(Annotation)

    public var type: EventType {
        switch self {
        case .metric: .metric
        case .op: .op
        case .breaker: .breaker
        case .connection: .connection
        case .alert: .alert
        case .alertAck: .alertAck
        case .alertResolve: .alertResolve
        case .optimization: .optimization
        case .cache: .cache
        case .batch: .batch
        case .annotation: .annotation
        }
    }
}

/// The event types and their stable binary codes. A code, once released, never
/// changes meaning; a new encoding of a type gets a new code.
public enum EventType: UInt8, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case metric = 1
    case op = 2
    case breaker = 3
    case connection = 4
    case alert = 5
    case alertAck = 6
    case alertResolve = 7
    case optimization = 8
    case cache = 9
    case batch = 10
    case annotation = 11

    /// The name used in the JSON `type` field.
    public var name: String {
        switch self {
        case .metric: "metric"
        case .op: "op"
        case .breaker: "breaker"
        case .connection: "connection"
        case .alert: "alert"
        case .alertAck: "alert_ack"
        case .alertResolve: "alert_resolve"
        case .optimization: "optimization"
        case .cache: "cache"
        case .batch: "batch"
        case .annotation: "annotation"
        }
    }

    public init?(name: String) {
        guard let found = EventType.allCases.first(where: { $0.name == name }) else { return nil }
        self = found
    }

    public var description: String { name }
}
