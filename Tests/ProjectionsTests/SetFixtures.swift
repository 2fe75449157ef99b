import EventStore
import Foundation
@testable import Projections

/// Builders of events for the panel projections' tests (breakers, alerts, caches, ...).
enum PanelFixtures {
    /// 2026-01-01T00:00:00Z, so times in tests read as seconds after it.
    static let baseNs: Int64 = 1_767_225_600_000_000_000

    static func at(_ seconds: Double) -> Int64 { baseNs + Int64((seconds * 1e9).rounded()) }

    static func event(_ seconds: Double, _ body: EventBody) -> Event { Event(timeNs: at(seconds), body: body) }

    static func breaker(_ seconds: Double, _ connection: String, _ from: BreakerState, _ to: BreakerState, failures: Int64 = 0, reason: String? = nil) -> Event {
        event(seconds, .breaker(BreakerTransition(connection: connection, from: from, to: to, failures: failures, reason: reason)))
    }

    static func report(_ seconds: Double, _ connection: String, parseRate: Double = 1, latencyMs: Double = 10, load: Double = 50, tps: Double = 100, monitors: [String] = ["m1"]) -> Event {
        event(seconds, .connection(ConnectionReport(connection: connection, monitors: monitors, load: load, tps: tps, parseRate: parseRate, latencyMs: latencyMs)))
    }

    static func alert(_ seconds: Double, _ id: String, _ severity: AlertSeverity = .warning, message: String = "m") -> Event {
        event(seconds, .alert(AlertRaised(id: id, severity: severity, kind: "test", message: message)))
    }

    static func ack(_ seconds: Double, _ id: String, by: String? = nil) -> Event {
        event(seconds, .alertAck(AlertAck(id: id, by: by)))
    }

    static func resolve(_ seconds: Double, _ id: String) -> Event {
        event(seconds, .alertResolve(AlertResolve(id: id)))
    }

    static let params = OptimizationParams(batchSize: 100, batchTimeoutMs: 50, cacheTTLMultiplier: 1, maxConcurrentOps: 8)

    static func optimization(_ seconds: Double, efficiency: Double, params: OptimizationParams = params, mode: OptimizationMode = .auto, reason: String? = nil) -> Event {
        event(seconds, .optimization(OptimizationChange(mode: mode, efficiency: efficiency, params: params, reason: reason)))
    }

    static func cache(_ seconds: Double, _ name: String, hits: UInt64, misses: UInt64, evictions: UInt64 = 0, sizeBytes: UInt64 = 1000, entries: UInt64 = 10, ratio: Double = 2, ttlMs: Double = 1000) -> Event {
        event(seconds, .cache(CacheReport(cache: name, hits: hits, misses: misses, evictions: evictions, sizeBytes: sizeBytes, entries: entries, compressionRatio: ratio, avgTTLms: ttlMs)))
    }

    static func batch(_ seconds: Double, size: UInt64, optimal: UInt64? = nil, latencyMs: Double = 5, queueDepth: UInt64 = 0, priority: PriorityCounts = PriorityCounts()) -> Event {
        event(seconds, .batch(BatchReport(size: size, optimalSize: optimal, latencyMs: latencyMs, queueDepth: queueDepth, priority: priority)))
    }

    static func op(_ seconds: Double, ok: Bool) -> Event {
        event(seconds, .op(Operation(name: "get", durationMs: 1, ok: ok)))
    }

    static func cpuTotal(_ seconds: Double, _ value: Double = 10) -> Event {
        event(seconds, .metric(MetricSample(name: "cpu_percent", labels: ["core": "total"], value: value)))
    }

    static func fold<P: Projection>(_ type: P.Type = P.self, _ events: [Event], startOffset: UInt64 = 0) -> P {
        var state = P()
        for (index, event) in events.enumerated() { state.apply(event, offset: startOffset + UInt64(index)) }
        return state
    }

    static func encodeSorted<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    /// Encoded, decoded, and compared: a checkpoint of the state restores to an equal one.
    static func roundTrips<P: Projection>(_ state: P) throws -> Bool {
        try JSONDecoder().decode(P.self, from: encodeSorted(state)) == state
    }
}
