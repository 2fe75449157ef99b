/// A scheduled trouble in the simulated service.
struct DemoIncident: Equatable {
    enum Kind: CaseIterable {
        /// Calls through the connection get several times slower.
        case latencySpike
        /// A share of calls through the connection fail: its breaker trips.
        case errorBurst
        /// Caches lose their warm entries: hit ratio falls, evictions surge.
        case cacheDegradation

        var tag: String {
            switch self {
            case .latencySpike: "latency-spike"
            case .errorBurst: "error-burst"
            case .cacheDegradation: "cache-degradation"
            }
        }
    }

    let kind: Kind
    let connection: Int
    let startSecond: Int
    let durationSeconds: Int
    /// Latency multiplier or failure probability, by kind.
    let intensity: Double

    var endSecond: Int { startSecond + durationSeconds }

    func isActive(at second: Int) -> Bool { second >= startSecond && second < endSecond }

    var description: String {
        let connection = DemoCatalog.connections[connection].name
        switch kind {
        case .latencySpike: return "latency spike on \(connection) (×\(Int(intensity.rounded())))"
        case .errorBurst: return "error burst on \(connection) (\(Int((intensity * 100).rounded())) % of calls failing)"
        case .cacheDegradation: return "cache degradation (hit ratio falling, evictions surging)"
        }
    }

    /// The first two incidents come early, so a short demo shows a spike and a breaker
    /// trip; later ones are drawn from the seed, one at a time, 60–150 s apart.
    static func scheduled(index: Int, after previous: DemoIncident?, random: inout SplitMix64) -> DemoIncident {
        switch index {
        case 0:
            return DemoIncident(kind: .latencySpike, connection: 0, startSecond: 40, durationSeconds: 25, intensity: 6)
        case 1:
            return DemoIncident(kind: .errorBurst, connection: 2, startSecond: 95, durationSeconds: 30, intensity: 0.45)
        default:
            let start = (previous?.endSecond ?? 0) + random.integer(60...150)
            let kind = Kind.allCases[random.integer(0...(Kind.allCases.count - 1))]
            let intensity = kind == .latencySpike ? random.uniform(4...9) : random.uniform(0.3...0.6)
            return DemoIncident(
                kind: kind, connection: random.integer(0...(DemoCatalog.connections.count - 1)),
                startSecond: start, durationSeconds: random.integer(15...45), intensity: intensity)
        }
    }
}
