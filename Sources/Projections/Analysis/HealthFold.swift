import EventStore

/// The four projections the health score reads, folded alone, and the score sampled at
/// the end of every event-time minute.
struct HealthFold {
    var breakers = CircuitBreakersProjection()
    var optimization = OptimizationProjection()
    var caches = CacheStatsProjection()
    var health = HealthProjection()
    var minuteNs: Int64?
    var samples: [(minuteNs: Int64, score: Double, status: String)] = []

    @inline(__always)
    mutating func apply(_ event: Event, offset: UInt64) {
        breakers.apply(event, offset: offset)
        optimization.apply(event, offset: offset)
        caches.apply(event, offset: offset)
        health.apply(event, offset: offset)
    }

    /// Before applying an event of `minuteNs`: samples the minute that just ended.
    @inline(__always)
    mutating func sampleIfMinuteChanged(minuteNs next: Int64) {
        guard let current = minuteNs else {
            minuteNs = next
            return
        }
        guard next > current else { return }
        sample()
        minuteNs = next
    }

    mutating func sample() {
        guard let minuteNs, samples.count < AnalysisLimits.minutesMax else { return }
        let view = health.view(breakers: breakers, optimization: optimization, caches: caches)
        guard let score = view.score else { return }
        samples.append((minuteNs, Rounding.ms(score), view.status.rawValue))
    }
}
