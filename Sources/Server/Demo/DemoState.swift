/// Cumulative counters of one simulated cache.
struct DemoCacheCounters {
    var hits: UInt64 = 0
    var misses: UInt64 = 0
    var evictions: UInt64 = 0
    var entries: UInt64 = 0
}

/// What the optimizer looks at: operations since its last decision.
struct DemoWindow {
    var ops = 0
    var failures = 0
    var latencySumMs = 0.0

    var errorRate: Double { ops == 0 ? 0 : Double(failures) / Double(ops) }
    var meanLatencyMs: Double { ops == 0 ? 0 : latencySumMs / Double(ops) }
}

/// The simulated host behind the demo's vitals.
struct DemoHostState {
    var memoryUsedBytes = 5.2 * 1024 * 1024 * 1024
    var load1 = 1.2
    var load5 = 1.0
    var load15 = 0.8
}

/// One second of traffic through one connection.
struct DemoConnectionTraffic {
    var count = 0
    var failures = 0
    var latencySumMs = 0.0
}
