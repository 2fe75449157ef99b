/// The rule engine's figures, read from the set's views over the last 60 s of event
/// time. A figure with no data in the window answers nil, "no data", so its rules stay
/// quiet rather than fire on a made-up zero.
extension ProjectionSet: FigureSource {
    public func figure(_ figure: Figure) -> Double? {
        switch figure {
        case .throughputOpsPerSecond:
            guard lastEventTimeNs != nil else { return nil }
            return health.operationsLastMinute / Double(HealthProjection.errorWindowSeconds)
        case .errorRatePercent:
            return health.errorPercentLastMinute
        case .cacheHitRatePercent:
            return caches.totalHitRateLastMinute.map { $0 * 100 }
        case .healthScore:
            return healthView().score
        case .latencyP50Ms, .latencyP95Ms, .latencyP99Ms, .latencyP999Ms:
            let window = latency.overallWindow()
            guard window.count > 0 else { return nil }
            switch figure {
            case .latencyP50Ms: return window.p50
            case .latencyP95Ms: return window.p95
            case .latencyP99Ms: return window.p99
            default: return window.p999
            }
        // The readings alone: the views would build their charts' history too, every
        // second of event time the rules are evaluated.
        case .cpuPercent:
            return vitals.cpuTotal?.value
        case .memoryAvailablePercent:
            return vitals.percentOfMemory(vitals.memory.available)
        case .loadAverage1m:
            return vitals.load.oneMinute?.value
        }
    }
}
