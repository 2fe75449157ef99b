import EventStore
import Foundation
import Testing
import TestSupport
@testable import Projections

/// A ring keeps its buckets as single samples (sparse, 16 bytes a sample, or a slot of
/// 8 bytes per bucket) until one gets a second sample; what it holds must be what a
/// ring of rollups holds after the same records.
@Suite struct RollupRingSingleSampleTests {
    /// Random records into a ring and into one that stores rollups from the start:
    /// sequences in time order with gaps, late and older-than-the-ring units, gaps
    /// wider than the ring, a second sample in some bucket (in half of them), and
    /// steps of a few units (a quarter: a scrape's seconds, the sparse form and its
    /// changes to slots and back as the step changes).
    @Test(arguments: 0..<400)
    func aRingOfSingleSamples_holdsWhatARingOfRollupsHolds(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let capacity = Int.random(in: 1...80, using: &random)
        let repeats = seed % 2 == 1
        let scrapes = seed % 4 >= 2
        var step: Int64 = 1
        var ring = RollupRing()
        var reference = RollupRing(storingRollups: true)
        var unit = Int64.random(in: 0...1_000, using: &random)
        var forms: Set<UInt8> = []
        for _ in 0..<Int.random(in: 1...400, using: &random) {
            if scrapes && Int.random(in: 0..<40, using: &random) == 0 { step = Int64.random(in: 1...12, using: &random) }
            switch Int.random(in: 0..<20, using: &random) {
            case 0: unit += Int64.random(in: 2...Int64(capacity) * 2, using: &random)
            case 1, 2: unit -= Int64.random(in: 1...Int64(capacity) + 3, using: &random)
            case 3 where repeats: break
            default: unit += step
            }
            let value = [Double.random(in: -1e6...1e6, using: &random), 0, .infinity, 1e40][Int.random(in: 0..<4, using: &random)]
            let increase = Bool.random(using: &random) ? 0 : Double.random(in: 0...100, using: &random)
            let recorded = ring.record(unit: unit, capacity: capacity, value: value, increase: increase)
            #expect(recorded == reference.record(unit: unit, capacity: capacity, value: value, increase: increase))
            forms.insert(ring.form.rawValue)
        }
        #expect(ring == reference, "forms taken: \(forms.sorted())")
        #expect(ring.ordered == reference.ordered && ring.headUnit == reference.headUnit && ring.count == reference.count)
        for probe in (ring.oldestUnit - 2)...(ring.headUnit + 2) {
            #expect(ring.bucket(atUnit: probe) == reference.bucket(atUnit: probe))
        }
        var seen: [Int64] = [], expected: [Int64] = []
        ring.forEach(fromUnit: ring.oldestUnit + 1, throughUnit: ring.headUnit) { unit, _ in seen.append(unit) }
        reference.forEach(fromUnit: ring.oldestUnit + 1, throughUnit: ring.headUnit) { unit, _ in expected.append(unit) }
        #expect(seen == expected)
        var blob: [UInt8] = [], referenceBlob: [UInt8] = []
        RollupRing.PackedBuckets(ring: ring).writeBytes(into: &blob)
        RollupRing.PackedBuckets(ring: reference).writeBytes(into: &referenceBlob)
        #expect(blob == referenceBlob, "the packed form is the content's, not the storage's")
        #expect(RollupRing.PackedBuckets(ring: ring).byteCount == blob.count, "the size declared before writing is the size written")
    }

    @Test func aSeriesSampledOnceASecond_keepsItsSecondsAsSingleSamples_untilASecondGetsTwo() throws {
        let capacity = 300
        var ring = RollupRing()
        for second in 0..<Int64(capacity) {
            _ = ring.record(unit: 1_000 + second, capacity: capacity, value: Double(second) * 0.5, increase: 1)
        }
        #expect(ring.form == .singles)
        // 8 bytes a second (the array's allocation may round up by a few elements).
        #expect(ring.footprintBytes >= capacity * 8 && ring.footprintBytes <= capacity * 8 + 32, "\(ring.footprintBytes) bytes")
        #expect(ring.bucket(atUnit: 1_010) == {
            var r = Rollup()
            r.record(5, increase: 1)
            return r
        }())
        _ = ring.record(unit: 1_010, capacity: capacity, value: 9, increase: 2)
        #expect(ring.form == .wide)
        #expect(ring.footprintBytes >= capacity * MemoryLayout<Rollup>.stride)
        let bucket = try #require(ring.bucket(atUnit: 1_010))
        #expect(bucket.count == 2 && bucket.min == 5 && bucket.max == 9 && bucket.mean == 7 && bucket.last == 9 && bucket.increase == 3)
    }

    /// A checkpoint does not say which form a ring had: the decoded ring takes the
    /// single-sample form whenever its content allows it.
    @Test func decodedRing_takesTheSingleSampleFormWhenEveryBucketHoldsOneSample() throws {
        var single = RollupRing(storingRollups: true)
        for unit: Int64 in [5, 6, 9] { _ = single.record(unit: unit, capacity: 16, value: Double(unit), increase: 0) }
        let decoded = try CompactDecoder.decode(RollupRing.self, from: try CompactEncoder.encode(single))
        #expect(decoded == single && decoded.form == .sparse, "3 samples in a span of 5")

        var twice = single
        _ = twice.record(unit: 9, capacity: 16, value: 1, increase: 0)
        let decodedTwice = try CompactDecoder.decode(RollupRing.self, from: try CompactEncoder.encode(twice))
        #expect(decodedTwice == twice && decodedTwice.form == .wide)

        var everySecond = RollupRing(storingRollups: true)
        for unit: Int64 in 0..<40 { _ = everySecond.record(unit: unit, capacity: 64, value: Double(unit), increase: 0) }
        let decodedSlots = try CompactDecoder.decode(RollupRing.self, from: try CompactEncoder.encode(everySecond))
        #expect(decodedSlots == everySecond && decodedSlots.form == .singles)
    }

    @Test func aSeriesScrapedEvery15s_keepsItsSecondsAsSparseSamples_andGoesToSlotsWhenScrapedEverySecond() {
        let capacity = 300
        var ring = RollupRing()
        var unit: Int64 = 10_000
        for _ in 0..<100 {
            _ = ring.record(unit: unit, capacity: capacity, value: 1, increase: 0)
            unit += 15
        }
        #expect(ring.form == .sparse && ring.count == capacity)
        // 20 samples of 16 bytes in the 300 s; the array grows by doubling and malloc may
        // round its block up, so the bound is 64 entries, still under half of 300 slots.
        #expect(ring.footprintBytes <= 64 * 16, "20 samples in the 300 s: \(ring.footprintBytes) bytes")
        #expect(ring.bucket(atUnit: unit - 15)?.count == 1 && ring.bucket(atUnit: unit - 16)?.isEmpty == true)
        for _ in 0..<200 {
            _ = ring.record(unit: unit, capacity: capacity, value: 2, increase: 0)
            unit += 1
        }
        #expect(ring.form == .singles)
        for _ in 0..<20 {
            _ = ring.record(unit: unit, capacity: capacity, value: 3, increase: 0)
            unit += 60
        }
        #expect(ring.form == .sparse, "back to sparse once under a quarter of the span holds a sample")
    }
}
