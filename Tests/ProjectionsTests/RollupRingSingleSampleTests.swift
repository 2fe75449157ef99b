import Foundation
import Testing
import TestSupport
@testable import Projections

/// A ring keeps its buckets as single samples (8 bytes) until one gets a second sample;
/// what it holds must be what a ring of rollups holds after the same records.
@Suite struct RollupRingSingleSampleTests {
    /// Random records into a ring and into one that stores rollups from the start:
    /// sequences in time order with gaps, late and older-than-the-ring units, gaps
    /// wider than the ring, and (in half of them) a second sample in some second.
    @Test(arguments: 0..<200)
    func aRingOfSingleSamples_holdsWhatARingOfRollupsHolds(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let capacity = Int.random(in: 1...40, using: &random)
        let repeats = seed % 2 == 1
        var ring = RollupRing()
        var reference = RollupRing(storingRollups: true)
        var unit = Int64.random(in: 0...1_000, using: &random)
        for _ in 0..<Int.random(in: 1...300, using: &random) {
            switch Int.random(in: 0..<20, using: &random) {
            case 0: unit += Int64.random(in: 2...Int64(capacity) * 2, using: &random)
            case 1, 2: unit -= Int64.random(in: 1...Int64(capacity) + 3, using: &random)
            case 3 where repeats: break
            default: unit += 1
            }
            let value = [Double.random(in: -1e6...1e6, using: &random), 0, .infinity, 1e40][Int.random(in: 0..<4, using: &random)]
            let increase = Bool.random(using: &random) ? 0 : Double.random(in: 0...100, using: &random)
            let recorded = ring.record(unit: unit, capacity: capacity, value: value, increase: increase)
            #expect(recorded == reference.record(unit: unit, capacity: capacity, value: value, increase: increase))
        }
        #expect(ring == reference)
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
    }

    @Test func aSeriesSampledOnceASecond_keepsItsSecondsAsSingleSamples_untilASecondGetsTwo() throws {
        let capacity = 300
        var ring = RollupRing()
        for second in 0..<Int64(capacity) {
            _ = ring.record(unit: 1_000 + second, capacity: capacity, value: Double(second) * 0.5, increase: 1)
        }
        #expect(ring.holdsSingleSamples)
        // 8 bytes a second (the array's allocation may round up by a few elements).
        #expect(ring.footprintBytes >= capacity * 8 && ring.footprintBytes <= capacity * 8 + 32, "\(ring.footprintBytes) bytes")
        #expect(ring.bucket(atUnit: 1_010) == {
            var r = Rollup()
            r.record(5, increase: 1)
            return r
        }())
        _ = ring.record(unit: 1_010, capacity: capacity, value: 9, increase: 2)
        #expect(!ring.holdsSingleSamples)
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
        #expect(decoded == single && decoded.holdsSingleSamples)

        var twice = single
        _ = twice.record(unit: 9, capacity: 16, value: 1, increase: 0)
        let decodedTwice = try CompactDecoder.decode(RollupRing.self, from: try CompactEncoder.encode(twice))
        #expect(decodedTwice == twice && !decodedTwice.holdsSingleSamples)
    }
}
