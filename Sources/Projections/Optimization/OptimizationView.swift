import EventStore

/// `GET /api/v1/performance/optimization/status`.
public struct OptimizationView: Encodable, Sendable, Equatable {
    public struct Change: Encodable, Sendable, Equatable {
        public var time: String
        public var timeNs: Int64
        public var mode: OptimizationMode
        public var efficiency: Double
        public var params: OptimizationParams
        public var reason: String?
    }

    /// True once the optimizer has reported.
    public var enabled: Bool
    public var mode: OptimizationMode?
    /// 0–1.
    public var efficiency: Double?
    public var currentParams: OptimizationParams?
    public var lastOptimization: String?
    public var lastOptimizationNs: Int64?
    public var lastChange: Change?
    public var changeCount: UInt64
    /// Newest first.
    public var history: [Change]
}

extension OptimizationProjection {
    public func view(historyLimit: Int = historyMax) -> OptimizationView {
        OptimizationView(
            enabled: current != nil, mode: current?.mode, efficiency: current?.efficiency,
            currentParams: current?.params, lastOptimization: ViewTime.text(current?.timeNs),
            lastOptimizationNs: current?.timeNs, lastChange: current.map(Self.changeView),
            changeCount: changeCount,
            history: history.elements.suffix(max(0, historyLimit)).reversed().map(Self.changeView))
    }

    private static func changeView(_ record: OptimizationRecord) -> OptimizationView.Change {
        OptimizationView.Change(
            time: EventTime.formatRFC3339(record.timeNs), timeNs: record.timeNs, mode: record.mode,
            efficiency: record.efficiency, params: record.params, reason: record.reason)
    }
}
