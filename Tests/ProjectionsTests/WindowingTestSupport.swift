import EventStore
import Foundation
@testable import Projections

/// Event builders and encoding checks shared by the windowed projections' tests.
enum WindowFixtures {
    static let second: Int64 = 1_000_000_000
    /// 2026-01-01T00:00:00Z, a whole minute and hour, so unit boundaries are easy to read.
    static let t0: Int64 = 1_767_225_600 * second

    static func op(at timeNs: Int64, name: String = "GET /", protocol proto: String? = "http1", durationMs: Double = 1, ok: Bool = true) -> Event {
        Event(timeNs: timeNs, body: .op(Operation(name: name, protocol: proto, durationMs: durationMs, ok: ok)))
    }

    static func metric(at timeNs: Int64, _ name: String, _ labels: [String: String] = [:], _ value: Double, kind: MetricKind = .gauge) -> Event {
        Event(timeNs: timeNs, body: .metric(MetricSample(name: name, labels: labels, value: value, kind: kind)))
    }

    static func fold<P: Projection>(_ events: [Event], into state: P = P()) -> P {
        var state = state
        for (offset, event) in events.enumerated() { state.apply(event, offset: UInt64(offset)) }
        return state
    }

    static func sortedJSON<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    /// Encodes, decodes and re-encodes: the state must survive a checkpoint unchanged.
    static func roundTrip<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: sortedJSON(value))
    }

    /// A deterministic pseudo-random sequence (SplitMix64) for generated streams.
    struct Seeded {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }
}
