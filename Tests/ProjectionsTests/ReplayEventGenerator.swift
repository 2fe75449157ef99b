import EventStore
@testable import Projections

/// Seeded random streams of every event type, in roughly increasing event time
/// with some late events, shaped so rules fire (breakers open, CPU stays high).
struct ReplayEventGenerator {
    private var rng: UInt64
    private(set) var timeNs: Int64
    let seed: UInt64

    init(seed: UInt64, startNs: Int64 = 1_700_000_000_000_000_000) {
        self.seed = seed
        self.rng = seed
        self.timeNs = startNs
    }

    /// SplitMix64: tiny, seedable, and the same on every platform.
    mutating func nextRandom() -> UInt64 {
        rng &+= 0x9E37_79B9_7F4A_7C15
        var z = rng
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(nextRandom() % UInt64(bound)) }
    mutating func unit() -> Double { Double(nextRandom() >> 11) / Double(1 << 53) }
    mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }

    mutating func events(_ count: Int) -> [Event] {
        (0..<count).map { _ in next() }
    }

    /// Moves event time on by up to `maxStepMs` and returns one random event.
    mutating func next(maxStepMs: Int = 400) -> Event {
        timeNs += Int64(below(maxStepMs)) * 1_000_000
        // One in fifty is late by up to 90 s, to exercise late-event handling.
        let eventTimeNs = below(50) == 0 ? timeNs - Int64(below(90_000)) * 1_000_000 : timeNs
        return Event(timeNs: eventTimeNs, body: body())
    }

    mutating func body() -> EventBody {
        let connections = ["db-1", "db-2", "cache-a", "api"]
        switch below(12) {
        case 0, 1:
            let core = pick(["total", "0", "1"])
            return .metric(MetricSample(name: "cpu_percent", labels: ["core": core], value: 60 + unit() * 40))
        case 2:
            let kind = pick(["total", "available", "used"])
            return .metric(MetricSample(name: "memory_bytes", labels: ["kind": kind], value: Double(below(16)) * 1e9))
        case 3, 4:
            return .op(Operation(name: pick(["get", "put", "scan"]), protocol: pick(["http1", "grpc", nil]),
                                 durationMs: unit() * 300, ok: below(10) != 0))
        case 5:
            let states: [BreakerState] = [.closed, .open, .halfOpen]
            return .breaker(BreakerTransition(connection: pick(connections), from: pick(states), to: pick(states),
                                              failures: Int64(below(20)), reason: below(2) == 0 ? "timeouts" : nil))
        case 6:
            return .connection(ConnectionReport(connection: pick(connections), monitors: ["m\(below(3))"], load: unit() * 100,
                                                tps: unit() * 1000, parseRate: unit(), latencyMs: unit() * 50))
        case 7:
            let id = "ext-\(below(5))"
            switch below(3) {
            case 0: return .alert(AlertRaised(id: id, severity: pick(AlertSeverity.allCases), kind: "external", message: "m"))
            case 1: return .alertAck(AlertAck(id: id, by: "ops"))
            default: return .alertResolve(AlertResolve(id: id))
            }
        case 8:
            return .optimization(OptimizationChange(
                mode: pick(OptimizationMode.allCases), efficiency: unit(),
                params: OptimizationParams(batchSize: Double(below(500)), batchTimeoutMs: 10, cacheTTLMultiplier: 1.5, maxConcurrentOps: 64)))
        case 9:
            return .cache(CacheReport(cache: pick(["sessions", "pages"]), hits: UInt64(below(1000) + Int(timeNs % 1000)),
                                      misses: UInt64(below(500)), evictions: UInt64(below(50)), sizeBytes: UInt64(below(1 << 20)),
                                      entries: UInt64(below(1000)), compressionRatio: 1 + unit(), avgTTLms: unit() * 1000))
        case 10:
            return .batch(BatchReport(size: UInt64(below(200) + 1), optimalSize: below(2) == 0 ? 128 : nil, latencyMs: unit() * 20,
                                      queueDepth: UInt64(below(100)), priority: PriorityCounts(high: 1, medium: 2, low: UInt64(below(5)))))
        default:
            return .annotation(Annotation(text: "note \(below(100))", tags: ["deploy"]))
        }
    }
}
