import EventStore

/// The health score recorded as a metric series, `tacho_health_score` (0–100, the
/// figure `/api/v1/health` shows), so PromQL, Grafana and rules read its history like
/// any series. The state that folds the log emits one sample each time the newest
/// event time crosses a multiple of `intervalNs`, stamped at that multiple and taken
/// from the state before the crossing event: the score as of that moment. Emitted
/// with the rules' alerts (same state, same confirmation against the log at
/// recovery), so a replay of the log reproduces exactly the samples it holds.
public enum HealthSample {
    public static let name = "tacho_health_score"
    /// Prometheus's default scrape interval.
    public static let intervalNs: Int64 = 15_000_000_000
    static let series = SeriesKey(name: name)

    /// The time of the sample due before an event at `eventTimeNs` is folded into a
    /// state whose newest event time is `newestNs`: the last multiple of the interval
    /// at or before the event, when the newest time had not reached it yet. None for
    /// the first event, a late one, or one within the same interval.
    public static func due(newestNs: Int64?, eventTimeNs: Int64) -> Int64? {
        guard let newestNs, eventTimeNs > newestNs else { return nil }
        let (quotient, remainder) = eventTimeNs.quotientAndRemainder(dividingBy: intervalNs)
        let boundary = (remainder < 0 ? quotient - 1 : quotient) * intervalNs
        return boundary > newestNs ? boundary : nil
    }

    /// Whether `event` is one of these samples.
    public static func isSample(_ event: Event) -> Bool {
        if case .metric(let sample) = event.body { sample.series.name == name && sample.hasFiniteValue } else { false }
    }

    static func event(atNs timeNs: Int64, score: Double) -> Event {
        Event(timeNs: timeNs, body: .metric(MetricSample(series: series, value: score, kind: .gauge)))
    }
}
