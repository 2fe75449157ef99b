import EventStore
import Foundation

extension DemoWorkload {
    /// Emits each operation of the second individually, evenly spread with jitter,
    /// and feeds failures to the breakers.
    mutating func simulateOperations(_ out: inout DemoSecond) -> [DemoConnectionTraffic] {
        let t = Double(second)
        let wave = 350 * sin(2 * Double.pi * t / 600) + 120 * sin(2 * Double.pi * t / 73)
        let rate = Int((650 + wave + 40 * random.gaussian()).rounded())
        let count = min(Self.opsPerSecondMax, max(200, rate))
        let slotNs = EventTime.nanosPerSecond / Int64(count)
        let weights = DemoCatalog.operations.map(\.weight)
        let degradedCache = activeIncidents(.cacheDegradation) != nil
        var traffic = Array(repeating: DemoConnectionTraffic(), count: DemoCatalog.connections.count)
        for index in 0..<count {
            let kind = DemoCatalog.operations[random.weightedIndex(weights)]
            let connection = kind.connection
            let atNs = Int64(index) * slotNs + Int64(random.unit() * Double(slotNs))
            let durationMs: Double
            let ok: Bool
            if breakers[connection].state == .open {
                // Rejected by the open breaker: fails fast.
                durationMs = random.uniform(0.1...0.6)
                ok = false
            } else {
                var latency = kind.baseLatencyMs * exp(0.45 * random.gaussian())
                if let spike = activeIncidents(.latencySpike, connection: connection) { latency *= spike.intensity }
                if degradedCache, connection == 2 || connection == 1 { latency *= 2.5 }
                var failure = 0.004
                if let burst = activeIncidents(.errorBurst, connection: connection) { failure += burst.intensity }
                if latency > 400 { failure += 0.2 }
                durationMs = latency
                ok = !random.chance(failure)
            }
            out.add(atNs: atNs, .op(Operation(name: kind.name, protocol: kind.protocol, durationMs: durationMs, ok: ok)))
            if let transition = breakers[connection].record(ok: ok, connection: DemoCatalog.connections[connection].name, second: second) {
                out.add(atNs: atNs, .breaker(transition))
            }
            traffic[connection].count += 1
            traffic[connection].latencySumMs += durationMs
            if !ok { traffic[connection].failures += 1 }
            window.ops += 1
            window.latencySumMs += durationMs
            if !ok { window.failures += 1 }
        }
        requestsTotal += UInt64(count)
        out.metric(atMs: 999, "requests_total", ["service": "checkout"], Double(requestsTotal), .counter)
        return traffic
    }

    mutating func tickBreakers(_ out: inout DemoSecond) {
        for index in breakers.indices {
            let troubled = activeIncidents(.errorBurst, connection: index) != nil
            if let transition = breakers[index].tick(second: second, troubled: troubled, connection: DemoCatalog.connections[index].name) {
                out.add(atMs: 900, .breaker(transition))
            }
        }
    }

    mutating func reportConnections(_ out: inout DemoSecond, _ traffic: [DemoConnectionTraffic]) {
        for (index, connection) in DemoCatalog.connections.enumerated() {
            let seen = traffic[index]
            let tps = Double(seen.count)
            let load = min(100, max(0, tps / connection.capacityOps * 100 + 5 + 2 * random.gaussian()))
            let parseRate = activeIncidents(.errorBurst, connection: index) != nil
                ? random.uniform(0.82...0.93) : random.uniform(0.993...0.9995)
            let latencyMs = seen.count > 0 ? seen.latencySumMs / Double(seen.count) : connection.baseLatencyMs
            out.add(atMs: 950, .connection(ConnectionReport(
                connection: connection.name, monitors: connection.monitors, load: load, tps: tps,
                parseRate: parseRate, latencyMs: latencyMs)))
        }
    }
}
