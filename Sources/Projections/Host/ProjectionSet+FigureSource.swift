/// The rule engine's figures, read from the set's views. Figures whose view is not
/// in the set yet (latency percentiles, host vitals) answer nil, "no data", so their
/// rules stay quiet rather than fire on a made-up zero.
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
        case .latencyP50Ms, .latencyP95Ms, .latencyP99Ms, .latencyP999Ms,
             .cpuPercent, .memoryAvailablePercent, .loadAverage1m:
            return nil
        }
    }
}
