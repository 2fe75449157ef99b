import EventStore

extension RuleSet {
    /// The rules that run when no rule file is given: the older dashboard's thresholds
    /// (p99 latency, throughput, CPU, error rate) plus memory, breakers and caches.
    public static let defaults: RuleSet = {
        let cooldownSeconds: Int64 = 60
        let rules = [
            AlertRule(id: "latency-p99-high", name: "High p99 latency", severity: .warning,
                      condition: .figure(name: .latencyP99Ms, comparison: Comparison(.above, 150)),
                      forSeconds: 30, cooldownSeconds: cooldownSeconds,
                      message: "p99 latency {value} ms above {threshold} ms for {forSeconds} s"),
            AlertRule(id: "throughput-low", name: "Low throughput", severity: .warning,
                      condition: .figure(name: .throughputOpsPerSecond, comparison: Comparison(.below, 400)),
                      forSeconds: 30, cooldownSeconds: cooldownSeconds,
                      message: "throughput {value} ops/s below {threshold} ops/s for {forSeconds} s"),
            AlertRule(id: "cpu-high", name: "High CPU", severity: .warning,
                      condition: .figure(name: .cpuPercent, comparison: Comparison(.above, 90)),
                      forSeconds: 60, cooldownSeconds: cooldownSeconds,
                      message: "CPU {value} % above {threshold} % for {forSeconds} s"),
            AlertRule(id: "error-rate-high", name: "High error rate", severity: .critical,
                      condition: .figure(name: .errorRatePercent, comparison: Comparison(.above, 5)),
                      forSeconds: 30, cooldownSeconds: cooldownSeconds,
                      message: "error rate {value} % above {threshold} % for {forSeconds} s"),
            AlertRule(id: "memory-available-low", name: "Low available memory", severity: .critical,
                      condition: .figure(name: .memoryAvailablePercent, comparison: Comparison(.below, 10)),
                      cooldownSeconds: cooldownSeconds,
                      message: "available memory {value} % below {threshold} %"),
            AlertRule(id: "breaker-open", name: "Circuit breaker open", severity: .critical,
                      condition: .breaker(entering: .open)),
            AlertRule(id: "breaker-half-open", name: "Circuit breaker half-open", severity: .warning,
                      condition: .breaker(entering: .halfOpen)),
            AlertRule(id: "cache-hit-rate-low", name: "Low cache hit rate", severity: .warning,
                      condition: .figure(name: .cacheHitRatePercent, comparison: Comparison(.below, 50)),
                      cooldownSeconds: cooldownSeconds,
                      message: "cache hit rate {value} % below {threshold} %"),
        ]
        do {
            return try RuleSet(rules)
        } catch {
            preconditionFailure("built-in rules are invalid: \(error)")
        }
    }()
}
