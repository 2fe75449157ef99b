import EventStore

/// One alert's life: when it fired and, if it did, when it resolved. Used both for
/// what a back-test would have raised and for what the log recorded.
public struct AlertOccurrence: Sendable, Equatable {
    public let id: String
    /// The alert `kind`; for the engine's alerts, the rule id.
    public let kind: String
    public let severity: AlertSeverity
    public let connection: String?
    public let metric: String?
    public let message: String
    public let value: Double?
    public let threshold: Double?
    public let firedAtNs: Int64
    /// Back-test: the offset of the event that triggered it. Recorded: the alert event's offset.
    public let firedAtOffset: UInt64
    public internal(set) var resolvedAtNs: Int64?

    init(_ alert: AlertRaised, timeNs: Int64, offset: UInt64) {
        self.id = alert.id
        self.kind = alert.kind
        self.severity = alert.severity
        self.connection = alert.connection
        self.metric = alert.metric
        self.message = alert.message
        self.value = alert.value
        self.threshold = alert.threshold
        self.firedAtNs = timeNs
        self.firedAtOffset = offset
    }
}

/// Collects occurrences from alert and resolve events, keeping at most `countMax`.
struct AlertTimeline {
    private(set) var occurrences: [AlertOccurrence] = []
    private(set) var truncated = false
    private var indexByID: [String: Int] = [:]
    let countMax: Int

    init(countMax: Int) {
        self.countMax = countMax
    }

    mutating func record(_ event: Event, offset: UInt64) {
        switch event.body {
        case .alert(let alert):
            guard indexByID[alert.id] == nil else { return }
            guard occurrences.count < countMax else {
                truncated = true
                return
            }
            indexByID[alert.id] = occurrences.count
            occurrences.append(AlertOccurrence(alert, timeNs: event.timeNs, offset: offset))
        case .alertResolve(let resolve):
            guard let index = indexByID[resolve.id], occurrences[index].resolvedAtNs == nil else { return }
            occurrences[index].resolvedAtNs = event.timeNs
        default:
            break
        }
    }
}
