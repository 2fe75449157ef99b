import Synchronization

/// The metric family types remote-write senders declared in earlier requests.
///
/// Prometheus sends `MetricMetadata` in requests of its own (every minute by default),
/// not beside the samples, so the types must outlive a request. Bounded: past
/// `familiesMax` new families are not remembered (their series fall back to the
/// `_total` naming rule), so a sender cannot grow the server's memory without limit.
final class MetricTypeMemory: Sendable {
    static let familiesMaxDefault = 100_000

    let familiesMax: Int
    private let types = Mutex([String: PrometheusMetricType]())

    init(familiesMax: Int = MetricTypeMemory.familiesMaxDefault) {
        precondition(familiesMax >= 0, "the family bound is non-negative")
        self.familiesMax = familiesMax
    }

    func type(of family: String) -> PrometheusMetricType? { types.withLock { $0[family] } }

    func remember(_ declared: [String: PrometheusMetricType]) {
        guard !declared.isEmpty else { return }
        types.withLock { types in
            for (family, type) in declared where types[family] != nil || types.count < familiesMax { types[family] = type }
        }
    }
}
