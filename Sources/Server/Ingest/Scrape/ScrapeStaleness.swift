import EventStore

/// Prometheus's staleness for scraped series: a series a target exposed at its last
/// scrape and no longer does gets a stale marker (`MetricSample.staleMarker`) at the
/// time of the scrape that missed it, and a failed scrape ends every series of the
/// one before (Prometheus 2.42's scrape loop appends an empty scrape then). Series
/// exposed with their own timestamps are not tracked, as in Prometheus. The series
/// the scraper adds (`up`, `scrape_duration_seconds`, ...) never go stale while the
/// target is scraped.
struct ScrapeStaleness {
    /// The tracked series of each target's last scrape, by target URL.
    private var previous: [String: [SeriesKey: MetricKind]] = [:]

    /// The markers of `target`'s scrape at `atNs` that exposed `seen`, or failed (nil).
    mutating func markers(target: String, seen: [SeriesKey: MetricKind]?, atNs: Int64) -> [Event] {
        let before = previous[target] ?? [:]
        previous[target] = seen ?? [:]
        let ended = before.filter { seen?[$0.key] == nil }
        // Sorted: the log's batches and tests see one order whatever the dictionary's.
        return ended.sorted { $0.key < $1.key }.map { key, kind in
            Event(timeNs: atNs, body: .metric(MetricSample.staleMarker(series: key, kind: kind)))
        }
    }
}
