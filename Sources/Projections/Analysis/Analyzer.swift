import EventStore

/// Folds a range of events into an `AnalysisReport`. Pure and deterministic: no clock,
/// no I/O; time is event time. Only what the report needs is folded (four projections
/// for the health score, the rest is counters and histograms).
public struct Analyzer {
    var events: UInt64 = 0
    var counts = [UInt64](repeating: 0, count: 256)
    var firstOffset: UInt64?
    var lastOffset: UInt64?
    var firstNs: Int64?
    var lastNs: Int64?

    var throughput = SecondCounter()
    var overall = LatencyHistogram()
    var byOperation: [String: LatencyHistogram] = [:]
    var byProtocol: [String: LatencyHistogram] = [:]
    var failed: UInt64 = 0

    var minute = MinuteAccumulator()
    var latencyPerMinute: [MinutePoint] = []
    var cachePerMinute: [MinutePoint] = []
    var worstMinute: ErrorSummary.WorstMinute?
    var worstMinutePercent = -1.0

    var breakers: [String: BreakerTrack] = [:]
    var alerts: [AlertTrack] = []
    var alertIndex: [String: Int] = [:]
    var caches: [String: (hits: UInt64, misses: UInt64)] = [:]
    var cacheHits: UInt64 = 0
    var cacheMisses: UInt64 = 0
    var optimizations: [OptimizationStep] = []
    var lastEfficiency: Double?

    var health = HealthFold()

    public init() {}

    public mutating func add(_ event: Event, offset: UInt64) {
        let timeNs = event.timeNs
        events += 1
        counts[Int(event.type.rawValue)] += 1
        if firstOffset == nil {
            firstOffset = offset
            firstNs = timeNs
        }
        lastOffset = offset
        lastNs = max(lastNs ?? timeNs, timeNs)
        let minuteNs = Self.floor(timeNs, to: 60 * EventTime.nanosPerSecond)
        if minute.startNs != minuteNs, minuteNs > (minute.startNs ?? .min) {
            closeMinute()
            minute = MinuteAccumulator(startNs: minuteNs)
        }
        health.sampleIfMinuteChanged(minuteNs: minuteNs)
        health.apply(event, offset: offset)
        switch event.body {
        case .op(let operation): addOperation(operation, timeNs: timeNs)
        case .breaker(let transition): addBreaker(transition, timeNs: timeNs)
        case .alert(let alert): addAlert(alert, timeNs: timeNs)
        case .alertAck(let ack): addAcknowledgement(ack, timeNs: timeNs)
        case .alertResolve(let resolve): addResolution(resolve, timeNs: timeNs)
        case .cache(let report): addCache(report)
        case .optimization(let change): addOptimization(change, timeNs: timeNs)
        default: break
        }
    }

    @inline(__always)
    private mutating func addOperation(_ operation: Operation, timeNs: Int64) {
        throughput.add(second: Self.floor(timeNs, to: EventTime.nanosPerSecond) / EventTime.nanosPerSecond)
        let ms = operation.durationMs
        overall.record(ms: ms)
        Self.record(ms, key: operation.name, in: &byOperation)
        Self.record(ms, key: operation.protocol ?? "unspecified", in: &byProtocol)
        minute.latency.record(ms: ms)
        if !operation.ok {
            failed += 1
            minute.failed += 1
        }
    }

    private static func record(_ ms: Double, key: String, in table: inout [String: LatencyHistogram]) {
        if table[key] != nil {
            table[key]!.record(ms: ms)
        } else if table.count < AnalysisLimits.keysMax {
            var histogram = LatencyHistogram()
            histogram.record(ms: ms)
            table[key] = histogram
        } else {
            table[AnalysisLimits.otherKey, default: LatencyHistogram()].record(ms: ms)
        }
    }

    private mutating func addBreaker(_ transition: BreakerTransition, timeNs: Int64) {
        guard breakers[transition.connection] != nil || breakers.count < AnalysisLimits.connectionsMax else { return }
        breakers[transition.connection, default: BreakerTrack()].apply(transition.to, timeNs: timeNs)
    }

    private mutating func addAlert(_ alert: AlertRaised, timeNs: Int64) {
        guard alertIndex[alert.id] == nil, alerts.count < AnalysisLimits.alertsMax else { return }
        alertIndex[alert.id] = alerts.count
        alerts.append(AlertTrack(alert: alert, raisedNs: timeNs))
    }

    private mutating func addAcknowledgement(_ ack: AlertAck, timeNs: Int64) {
        guard let index = alertIndex[ack.id], alerts[index].acknowledgedNs == nil else { return }
        alerts[index].acknowledgedNs = timeNs
    }

    private mutating func addResolution(_ resolve: AlertResolve, timeNs: Int64) {
        guard let index = alertIndex[resolve.id], alerts[index].resolvedNs == nil else { return }
        alerts[index].resolvedNs = timeNs
    }

    /// Counters are cumulative: a cache's first report in the range is its baseline,
    /// and a decrease is a restart whose new value is all increase.
    private mutating func addCache(_ report: CacheReport) {
        guard let previous = caches[report.cache] else {
            if caches.count < AnalysisLimits.connectionsMax { caches[report.cache] = (report.hits, report.misses) }
            return
        }
        let hits = report.hits >= previous.hits ? report.hits - previous.hits : report.hits
        let misses = report.misses >= previous.misses ? report.misses - previous.misses : report.misses
        caches[report.cache] = (report.hits, report.misses)
        cacheHits += hits
        cacheMisses += misses
        minute.cacheHits += hits
        minute.cacheMisses += misses
    }

    private mutating func addOptimization(_ change: OptimizationChange, timeNs: Int64) {
        defer { lastEfficiency = change.efficiency }
        guard optimizations.count < AnalysisLimits.optimizationStepsMax else { return }
        optimizations.append(OptimizationStep(
            at: EventTime.formatRFC3339(timeNs), mode: change.mode.rawValue, reason: change.reason,
            efficiencyBefore: lastEfficiency.map(Rounding.ratio), efficiencyAfter: Rounding.ratio(change.efficiency),
            batchSize: change.params.batchSize, batchTimeoutMs: change.params.batchTimeoutMs,
            cacheTTLMultiplier: change.params.cacheTTLMultiplier, maxConcurrentOps: change.params.maxConcurrentOps))
    }

    mutating func closeMinute() {
        guard let startNs = minute.startNs, latencyPerMinute.count < AnalysisLimits.minutesMax else { return }
        let label = EventTime.formatRFC3339(startNs)
        let operations = minute.latency.count
        if operations > 0 {
            latencyPerMinute.append(MinutePoint(minute: label, minuteNs: startNs, value: Rounding.ms(minute.latency.percentileMs(0.99))))
            let percent = Double(minute.failed) * 100 / Double(operations)
            if percent > worstMinutePercent {
                worstMinutePercent = percent
                worstMinute = .init(minute: label, operations: operations, failed: minute.failed, errorPercent: Rounding.percent(percent))
            }
        }
        let lookups = minute.cacheHits + minute.cacheMisses
        if lookups > 0 {
            cachePerMinute.append(MinutePoint(minute: label, minuteNs: startNs, value: Rounding.ratio(Double(minute.cacheHits) / Double(lookups))))
        }
    }

    /// Floor division: event times before 1970 still fall in the right second and minute.
    @inline(__always)
    static func floor(_ value: Int64, to unit: Int64) -> Int64 {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: unit)
        return (remainder < 0 ? quotient - 1 : quotient) * unit
    }
}

/// The current minute's figures, closed into the timelines when the next minute starts.
struct MinuteAccumulator {
    var startNs: Int64?
    var latency = LatencyHistogram()
    var failed: UInt64 = 0
    var cacheHits: UInt64 = 0
    var cacheMisses: UInt64 = 0
}

struct AlertTrack {
    let alert: AlertRaised
    let raisedNs: Int64
    var acknowledgedNs: Int64?
    var resolvedNs: Int64?
}

struct BreakerTrack {
    var transitions: UInt64 = 0
    var opened: UInt64 = 0
    var openSinceNs: Int64?
    var closedIntervals: [(fromNs: Int64, toNs: Int64)] = []

    mutating func apply(_ state: BreakerState, timeNs: Int64) {
        transitions += 1
        if state == .open {
            guard openSinceNs == nil else { return }
            openSinceNs = timeNs
            opened += 1
        } else if let since = openSinceNs {
            openSinceNs = nil
            if closedIntervals.count < AnalysisLimits.openIntervalsMax { closedIntervals.append((since, max(since, timeNs))) }
        }
    }
}
