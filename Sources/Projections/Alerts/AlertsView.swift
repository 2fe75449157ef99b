import EventStore

/// `GET /api/v1/fault-tolerance/alerts?limit=&severity=`.
public struct AlertsView: Encodable, Sendable, Equatable {
    public struct Alert: Encodable, Sendable, Equatable {
        public var id: String
        /// The latest raise.
        public var timestamp: String
        public var timestampNs: Int64
        public var severity: AlertSeverity
        public var type: String
        public var message: String
        public var connectionId: String?
        public var metric: String?
        public var threshold: Double?
        public var value: Double?
        /// The event's `data` object as canonical JSON text.
        public var dataJSON: String?
        public var status: AlertStatus
        public var acknowledged: Bool
        public var acknowledgedBy: String?
        public var acknowledgedAt: String?
        public var acknowledgedAtNs: Int64?
        public var resolvedAt: String?
        public var resolvedAtNs: Int64?
        public var firstRaised: String
        public var firstRaisedNs: Int64
        public var raiseCount: UInt64
    }

    /// Every alert kept (open and resolved), newest first, filtered and limited.
    public var alerts: [Alert]
    /// Each list newest first, filtered by severity and limited.
    public var active: [Alert]
    public var acknowledged: [Alert]
    public var resolved: [Alert]
    /// Open (active or acknowledged) alerts per severity, unfiltered.
    public var openBySeverity: SeverityCounts
    /// Every raise seen, per severity, unfiltered.
    public var raisedBySeverity: SeverityCounts
    public var activeCount: Int
    public var acknowledgedCount: Int
    public var resolvedCount: Int
    public var ignoredAcks: UInt64
    public var ignoredResolves: UInt64
}

extension AlertsProjection {
    public static let defaultViewLimit = 50

    /// - Parameters:
    ///   - limit: the most alerts in each list (negative counts as 0).
    ///   - severity: keep only this severity in the lists; nil keeps all.
    public func view(limit: Int = defaultViewLimit, severity: AlertSeverity? = nil) -> AlertsView {
        let limit = max(0, limit)
        func list(_ groups: [AlertRecord]...) -> [AlertsView.Alert] {
            AlertRecord.newest(groups, limit: limit) { severity == nil || $0.raised.severity == severity }.map(Self.alertView)
        }
        let openRecords = Array(open.values)
        var openBySeverity = SeverityCounts()
        for record in openRecords { openBySeverity[record.raised.severity] += 1 }
        let activeRecords = openRecords.filter { $0.status == .active }
        let acknowledgedRecords = openRecords.filter { $0.status == .acknowledged }
        return AlertsView(
            alerts: list(openRecords, resolved.elements), active: list(activeRecords),
            acknowledged: list(acknowledgedRecords), resolved: list(resolved.elements),
            openBySeverity: openBySeverity, raisedBySeverity: raisedBySeverity,
            activeCount: activeRecords.count, acknowledgedCount: acknowledgedRecords.count,
            resolvedCount: resolved.count, ignoredAcks: ignoredAckCount, ignoredResolves: ignoredResolveCount)
    }

    private static func alertView(_ record: AlertRecord) -> AlertsView.Alert {
        let fields = record.raised
        return AlertsView.Alert(
            id: fields.id, timestamp: EventTime.formatRFC3339(record.raisedNs), timestampNs: record.raisedNs,
            severity: fields.severity, type: fields.kind, message: fields.message, connectionId: fields.connection,
            metric: fields.metric, threshold: fields.threshold, value: fields.value, dataJSON: fields.dataJSON,
            status: record.status, acknowledged: record.acknowledgedNs != nil, acknowledgedBy: record.acknowledgedBy,
            acknowledgedAt: ViewTime.text(record.acknowledgedNs), acknowledgedAtNs: record.acknowledgedNs,
            resolvedAt: ViewTime.text(record.resolvedNs), resolvedAtNs: record.resolvedNs,
            firstRaised: EventTime.formatRFC3339(record.firstRaisedNs), firstRaisedNs: record.firstRaisedNs,
            raiseCount: record.raiseCount)
    }
}
