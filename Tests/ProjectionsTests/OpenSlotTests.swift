import EventStore
import Foundation
import Testing
import TestSupport
@testable import Projections

/// Coarse rings that take a fine ring's open slot only when it closes (`OpenSlot`):
/// the heatmap's minute and hour tiers, the throughput and latency minutes. What they
/// read must be what updating every ring for every operation gives, over operations
/// late by seconds to days, out of order, and jumps past a ring's span; a state stored
/// mid-stream (closed) folds on to the same.
@Suite struct OpenSlotTests {
    /// Operations a few a second, with jumps of hours and a fifth of them late by up to 8 days.
    static func operations(seed: UInt64, count: Int = 3000) -> [Event] {
        var random = SeededRandom(seed: seed)
        var clockNs = PanelFixtures.at(0)
        return (0..<count).map { _ in
            let roll = random.next() % 100
            if roll < 3 { clockNs += Int64(random.next() % 9 * 3600) * TimeUnits.nanosPerSecond }
            clockNs += Int64(random.next() % 2_000_000_000)
            var timeNs = clockNs
            if roll >= 80 { timeNs -= Int64(random.next() % (8 * 86_400)) * TimeUnits.nanosPerSecond / Int64(1 + random.next() % 50) }
            let op = Operation(name: ["a", "b", "c"][Int(random.next() % 3)], protocol: random.chance(0.2) ? nil : "http1",
                               durationMs: Double(random.next() % 5000) / 10, ok: random.chance(0.9))
            return Event(timeNs: timeNs, body: .op(op))
        }
    }

    /// Folds `events`, storing and restoring the state (JSON) once past the middle.
    static func fold<P: Projection>(_ type: P.Type, _ events: [Event], seed: UInt64) throws -> P {
        var state = P()
        let restoreAt = events.count / 2 + Int(seed % 100)
        for (offset, event) in events.enumerated() {
            state.apply(event, offset: UInt64(offset))
            if offset == restoreAt { state = try JSONDecoder().decode(P.self, from: JSONEncoder().encode(state)) }
        }
        return state
    }

    static let seeds = Array(UInt64(1)...12)

    /// The heatmap folded the plain way: every operation into every tier of its latency
    /// rings and its rows, rows skipped when every latency tier refuses it.
    struct EveryTierHeatmap {
        var latency = HeatmapTier.allCases.map { TimeRing<LatencyBandCounts>(slotWidthNs: $0.widthNs, capacity: $0.capacity) }
        var rows: [String: [TimeRing<OpCounts>]] = [:]
        var tooOld: UInt64 = 0

        mutating func apply(_ event: Event) {
            guard case .op(let op) = event.body else { return }
            let micros = LatencyScale.micros(fromMs: op.durationMs)
            let band = Int(HeatmapProjection.bandOfScaleIndex[LatencyScale.index(ofMicros: micros)])
            var placed = false
            for tier in latency.indices where latency[tier].update(atTimeNs: event.timeNs, { $0.record(band: band, micros: micros) }) == .live {
                placed = true
            }
            guard placed else {
                tooOld += 1
                return
            }
            for key in ["op:" + op.name, "proto:" + (op.protocol ?? LatencyProjection.unknownProtocol)] {
                var tiers = rows[key] ?? HeatmapRow().tiers
                for tier in tiers.indices { tiers[tier].update(atTimeNs: event.timeNs) { $0.record(ok: op.ok) } }
                rows[key] = tiers
            }
        }
    }

    @Test(arguments: seeds)
    func heatmapTiers_readAsUpdatingEveryTierForEveryOperation(seed: UInt64) throws {
        let events = Self.operations(seed: seed)
        let heatmap = try Self.fold(HeatmapProjection.self, events, seed: seed)
        var model = EveryTierHeatmap()
        for event in events { model.apply(event) }
        for tier in HeatmapTier.allCases {
            #expect(heatmap.latencyRing(tier) == model.latency[tier.rawValue], "latency tier \(tier)")
            for (table, prefix) in [(heatmap.operations, "op:"), (heatmap.protocols, "proto:")] {
                for (name, row) in table.entries {
                    #expect(heatmap.ring(of: row, tier) == model.rows[prefix + name]?[tier.rawValue], "\(prefix)\(name) tier \(tier)")
                }
            }
        }
        #expect(heatmap.tooOldCount == model.tooOld)
    }

    @Test(arguments: seeds)
    func throughputMinutes_readAsUpdatingThemForEveryOperation(seed: UInt64) throws {
        let events = Self.operations(seed: seed)
        let throughput = try Self.fold(ThroughputProjection.self, events, seed: seed)
        var minutes = TimeRing<OpCounts>(slotWidthNs: TimeUnits.nanosPerMinute, capacity: ThroughputProjection.minuteSlots)
        var tooOld: UInt64 = 0
        for event in events {
            guard case .op(let op) = event.body else { continue }
            if minutes.update(atTimeNs: event.timeNs, { $0.record(ok: op.ok) }) == .late { tooOld += 1 }
        }
        #expect(throughput.minutes == minutes)
        #expect(throughput.tooOldForHistory == tooOld)
    }

    @Test(arguments: seeds)
    func latencyMinutes_readAsUpdatingThemForEveryOperation(seed: UInt64) throws {
        let events = Self.operations(seed: seed)
        let latency = try Self.fold(LatencyProjection.self, events, seed: seed)
        var minutes = TimeRing<LatencySecond>(slotWidthNs: TimeUnits.nanosPerMinute, capacity: 24 * 60)
        for event in events {
            guard case .op(let op) = event.body else { continue }
            minutes.update(atTimeNs: event.timeNs) { $0.record(micros: LatencyScale.micros(fromMs: op.durationMs), ok: op.ok) }
        }
        #expect(latency.minutes == minutes)
    }

    /// A state with an open slot equals, merges and encodes as the state with it closed.
    @Test func aStateWithAnOpenSlot_equalsMergesAndStoresAsItsClosedForm() throws {
        let events = Self.operations(seed: 5, count: 400)
        let whole = F.fold(ProjectionSet.self, events)
        let restored = try JSONDecoder().decode(ProjectionSet.self, from: JSONEncoder().encode(whole))
        #expect(restored == whole)
        #expect(try F.encodeSorted(restored) == F.encodeSorted(whole))
        var left = F.fold(ProjectionSet.self, Array(events.prefix(200)))
        left.merge(F.fold(ProjectionSet.self, Array(events.dropFirst(200)), startOffset: 200))
        #expect(left.throughput.minutes == whole.throughput.minutes)
        #expect(left.latency.minutes == whole.latency.minutes)
        #expect(left.heatmap.latencyRing(.hour) == whole.heatmap.latencyRing(.hour))
    }

    typealias F = PanelFixtures
}
