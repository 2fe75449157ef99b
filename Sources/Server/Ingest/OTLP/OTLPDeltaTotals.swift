import EventStore
import Synchronization

/// Running totals of the OTLP series sent with DELTA temporality, so each becomes a
/// cumulative series as Tacho's counters are. A request's deltas are added only once
/// it has been appended (`add`), so a refused request leaves the totals as they were.
/// Bounded: past `seriesMax` a new series starts from its own deltas each time (and
/// is counted), so senders cannot grow the server's memory without limit.
final class OTLPDeltaTotals: Sendable {
    static let seriesMaxDefault = 100_000

    let seriesMax: Int
    private let totals = Mutex([SeriesKey: Double]())

    init(seriesMax: Int = OTLPDeltaTotals.seriesMaxDefault) {
        self.seriesMax = seriesMax
    }

    func total(of key: SeriesKey) -> Double { totals.withLock { $0[key] ?? 0 } }

    /// Adds an appended request's deltas; returns how many new series did not fit.
    @discardableResult
    func add(_ deltas: [SeriesKey: Double]) -> Int {
        totals.withLock { totals in
            var overflow = 0
            for (key, delta) in deltas {
                if totals[key] == nil, totals.count >= seriesMax {
                    overflow += 1
                    continue
                }
                totals[key, default: 0] += delta
            }
            return overflow
        }
    }
}
