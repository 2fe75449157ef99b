import EventStore
import PromQL

/// Prometheus's `ALERTS` and `ALERTS_FOR_STATE` series of one alerting rule, written by
/// the live evaluation as Prometheus 2.42's rule group writes them: at each evaluation,
/// for every pending or firing alert, `ALERTS{alertname, alertstate, <labels>} 1` and
/// `ALERTS_FOR_STATE{alertname, <labels>}` holding when the alert went active (Unix
/// seconds); a series the evaluation before wrote and this one did not gets a stale
/// marker (`MetricSample.staleMarker`), so `ALERTS{alertstate="pending"}` ends when the
/// alert fires and both end when it resolves. A failed evaluation writes nothing and
/// keeps the previous series, as Prometheus.
struct AlertSeries {
    static let alertsName = "ALERTS"
    static let forStateName = "ALERTS_FOR_STATE"

    /// The series written at the last evaluation.
    private(set) var previous: Set<SeriesKey> = []

    /// The samples of `alerts` at `atMs`, then the markers of what ended.
    mutating func events(_ alerts: [AlertRuleState.ActiveAlert], atMs: Int64) -> [Event] {
        let timeNs = atMs * 1_000_000
        var events: [Event] = []
        var written = Set<SeriesKey>()
        for alert in alerts {
            let pairs = alert.labels.pairs.filter { $0.name != PromQL.Labels.metricName }.map { ($0.name, $0.value) }
            let state = alert.state == .firing ? "firing" : "pending"
            // A label past the event limits (a rule file's label may be anything) leaves
            // the alert without series; its `alert` event and the rules API still say it.
            guard let alerts = try? ForeignSeries.key(name: Self.alertsName, labels: pairs + [("alertstate", state)]),
                  let forState = try? ForeignSeries.key(name: Self.forStateName, labels: pairs) else { continue }
            // Whole seconds, as Prometheus's `ActiveAt.Unix()`.
            let activeAtSeconds = Double(alert.activeAtMs >= 0 ? alert.activeAtMs / 1000 : (alert.activeAtMs - 999) / 1000)
            for (key, value) in [(alerts, 1.0), (forState, activeAtSeconds)] where written.insert(key).inserted {
                events.append(Event(timeNs: timeNs, body: .metric(MetricSample(series: key, value: value, kind: .gauge))))
            }
        }
        for key in previous.subtracting(written).sorted() {
            events.append(Event(timeNs: timeNs, body: .metric(MetricSample.staleMarker(series: key))))
        }
        previous = written
        return events
    }
}
