import EventStore
import Foundation
import Testing
@testable import Projections

@Suite struct WindowingTimeRingTests {
    typealias Ring = TimeRing<OpCounts>
    let s = WindowFixtures.second
    let t0 = WindowFixtures.t0

    func ring(_ capacity: Int = 60) -> Ring { Ring(slotWidthNs: WindowFixtures.second, capacity: capacity) }

    @Test func update_whenFirstEvent_setsHeadToItsSecond() {
        var r = ring()
        #expect(r.headUnit == nil)
        #expect(r.update(atTimeNs: t0 + 500_000_000) { $0.record(ok: true) } == .live)
        #expect(r.headUnit == t0 / s)
        #expect(r.bucket(atUnit: t0 / s)?.count == 1)
    }

    @Test func update_whenSecondsPassWithNoEvents_readsGapsAsEmpty() {
        var r = ring()
        r.update(atTimeNs: t0) { $0.record(ok: true) }
        r.update(atTimeNs: t0 + 5 * s) { $0.record(ok: true) }
        var counts: [UInt64] = []
        r.forEach(fromUnit: t0 / s, throughUnit: t0 / s + 5) { _, b in counts.append(b.count) }
        #expect(counts == [1, 0, 0, 0, 0, 1])
    }

    @Test func update_whenSlotIsReusedAfterWrap_startsFromEmpty() {
        var r = ring(4)
        r.update(atTimeNs: t0) { $0.record(ok: true) }
        r.update(atTimeNs: t0) { $0.record(ok: true) }
        // Same slot index, four seconds later: the old count must not leak in.
        r.update(atTimeNs: t0 + 4 * s) { $0.record(ok: true) }
        #expect(r.bucket(atUnit: t0 / s + 4)?.count == 1)
        #expect(r.bucket(atUnit: t0 / s) == nil)
    }

    @Test func update_whenEventOlderThanSpan_isLate_andLeavesWindowUntouched() {
        var r = ring(10)
        r.update(atTimeNs: t0 + 20 * s) { $0.record(ok: true) }
        let before = r
        #expect(r.update(atTimeNs: t0 + 10 * s) { $0.record(ok: false) } == .late)
        #expect(r == before)
        #expect(r.merged(fromUnit: 0, throughUnit: .max).count == 1)
    }

    @Test func update_whenEventLateButInsideSpan_countsIntoItsOwnSecond() {
        var r = ring(10)
        r.update(atTimeNs: t0 + 20 * s) { $0.record(ok: true) }
        #expect(r.update(atTimeNs: t0 + 11 * s) { $0.record(ok: true) } == .live)
        #expect(r.bucket(atUnit: t0 / s + 11)?.count == 1)
        #expect(r.headUnit == t0 / s + 20)
    }

    @Test func update_whenEventFarInFuture_movesHead_andOlderSecondsLeaveTheSpan() {
        var r = ring(60)
        r.update(atTimeNs: t0) { $0.record(ok: true) }
        let farFuture = t0 + 86_400 * 365 * 50 * s
        #expect(r.update(atTimeNs: farFuture) { $0.record(ok: true) } == .live)
        #expect(r.headUnit == farFuture / s)
        #expect(r.liveEntries.count == 1)
        #expect(r.update(atTimeNs: t0 + s) { $0.record(ok: true) } == .late)
        #expect(r.merged(fromUnit: .min, throughUnit: .max).count == 1)
    }

    @Test func update_whenTimesBeforeEpoch_usesFloorSeconds() {
        var r = ring()
        r.update(atTimeNs: -1) { $0.record(ok: true) }
        #expect(r.headUnit == -1)
        r.update(atTimeNs: -s) { $0.record(ok: true) }
        #expect(r.bucket(atUnit: -1)?.count == 2)
        r.update(atTimeNs: 0) { $0.record(ok: true) }
        #expect(r.bucket(atUnit: 0)?.count == 1)
    }

    @Test func advance_whenTimePasses_dropsSecondsBehindTheSpan_withoutWriting() {
        var r = ring(3)
        r.update(atTimeNs: t0) { $0.record(ok: true) }
        r.advance(toUnit: t0 / s + 2)
        #expect(r.bucket(atUnit: t0 / s)?.count == 1)
        r.advance(toUnit: t0 / s + 3)
        #expect(r.bucket(atUnit: t0 / s) == nil)
        #expect(r.liveEntries.isEmpty)
    }

    @Test func merge_whenShardsOverlap_addsSameSeconds_andKeepsLaterHead() {
        var a = ring(10), b = ring(10)
        a.update(atTimeNs: t0) { $0.record(ok: true) }
        a.update(atTimeNs: t0 + 3 * s) { $0.record(ok: false) }
        b.update(atTimeNs: t0 + 3 * s) { $0.record(ok: true) }
        b.update(atTimeNs: t0 + 12 * s) { $0.record(ok: true) }
        a.merge(b)
        #expect(a.headUnit == t0 / s + 12)
        #expect(a.bucket(atUnit: t0 / s + 3) == OpCounts(count: 2, errors: 1))
        // Second 0 is outside the merged span (12 - 10 + 1 = 3 is the oldest).
        #expect(a.bucket(atUnit: t0 / s) == nil)
    }

    @Test func merge_equalsApplyingBothStreamsToOneRing() {
        var rng = WindowFixtures.Seeded(state: 7)
        var a = ring(30), b = ring(30), both = ring(30)
        for i in 0..<500 {
            let t = t0 + Int64(i) * s / 10 + Int64(rng.next() % 3) * s
            if rng.next() % 2 == 0 { a.update(atTimeNs: t) { $0.record(ok: true) } } else { b.update(atTimeNs: t) { $0.record(ok: true) } }
            both.update(atTimeNs: t) { $0.record(ok: true) }
        }
        a.merge(b)
        // Events late in one shard may be live in the combined stream and vice versa
        // only before the head; compare the span both agree on.
        let head = both.headUnit!
        #expect(a.headUnit == head)
        #expect(a.merged(fromUnit: head - 25, throughUnit: head) == both.merged(fromUnit: head - 25, throughUnit: head))
    }

    @Test func encode_isIndependentOfWhereUnitsSitInTheArray() throws {
        // Same live content reached by different paths: one ring wrapped many times.
        var a = ring(5), b = ring(5)
        for i in 0..<23 { a.update(atTimeNs: t0 + Int64(i) * s) { $0.record(ok: true) } }
        for i in 18..<23 { b.update(atTimeNs: t0 + Int64(i) * s) { $0.record(ok: true) } }
        #expect(a == b)
        #expect(try WindowFixtures.sortedJSON(a) == WindowFixtures.sortedJSON(b))
    }

    @Test func decode_afterEncode_givesEqualRing_andSameBytes() throws {
        var r = ring(7)
        for i in [0, 1, 1, 4, 9, 9, 10] { r.update(atTimeNs: t0 + Int64(i) * s) { $0.record(ok: i % 2 == 0) } }
        let back = try WindowFixtures.roundTrip(r)
        #expect(back == r)
        #expect(try WindowFixtures.sortedJSON(back) == WindowFixtures.sortedJSON(r))
        var continued = back, original = r
        continued.update(atTimeNs: t0 + 11 * s) { $0.record(ok: true) }
        original.update(atTimeNs: t0 + 11 * s) { $0.record(ok: true) }
        #expect(continued == original)
    }

    @Test func decode_whenUnitOutsideSpan_throws() throws {
        let json = #"{"slotWidthNs":1000000000,"capacity":3,"headUnit":10,"units":[5],"buckets":[[1,0]]}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Ring.self, from: Data(json.utf8)) }
    }

    @Test func decode_ofTheFormBeforePackedWords_givesTheSameRing() throws {
        // A checkpoint written before the packed form: a unit array and a bucket per unit.
        let json = #"{"slotWidthNs":1000000000,"capacity":3,"headUnit":10,"units":[8,10],"buckets":[[2,1],[1,0]]}"#
        var expected = ring(3)
        expected.update(unit: 8) { $0.record(ok: false); $0.record(ok: true) }
        expected.update(unit: 10) { $0.record(ok: true) }
        #expect(try JSONDecoder().decode(Ring.self, from: Data(json.utf8)) == expected)
        let packed = String(decoding: try WindowFixtures.sortedJSON(expected), as: UTF8.self)
        #expect(packed.contains(#""packed":[8,2,2,1,10,2,1,0]"#), "per live slot: unit, word count, words; got \(packed)")
    }

    @Test(arguments: [
        ("a unit past the head", "[11,2,1,0]"),
        ("a unit older than the span", "[7,2,1,0]"),
        ("units out of order", "[10,2,1,0,9,2,1,0]"),
        ("a unit twice", "[9,2,1,0,9,2,1,0]"),
        ("a word count past the end", "[9,3,1,0]"),
        ("a unit without its word count", "[9]"),
        ("words that are no bucket (more errors than operations)", "[9,2,1,2]"),
        ("too few words for the bucket", "[9,1,1]"),
    ])
    func decode_whenPackedWordsAreDamaged_refusesTheRing(_ damage: String, _ packed: String) throws {
        let json = #"{"slotWidthNs":1000000000,"capacity":3,"headUnit":10,"packed":"# + packed + "}"
        #expect(throws: DecodingError.self, "\(damage)") { try JSONDecoder().decode(Ring.self, from: Data(json.utf8)) }
    }

    @Test func everyBucketKind_roundTripsThroughThePackedForm_inTheStoredBinaryForm() throws {
        func check<B: WindowBucket>(_ fill: (inout B, Int) -> Void) throws {
            var r = TimeRing<B>(slotWidthNs: s, capacity: 5)
            for i in [0, 2, 2, 3, 6] { r.update(atTimeNs: t0 + Int64(i) * s) { fill(&$0, i) } }
            #expect(try CompactDecoder.decode(TimeRing<B>.self, from: CompactEncoder.encode(r)) == r, "\(B.self)")
            #expect(try WindowFixtures.roundTrip(r) == r, "\(B.self)")
        }
        try check { (b: inout OpCounts, i) in b.record(ok: i != 2) }
        try check { (b: inout LatencySecond, i) in b.record(micros: UInt64(100 * (i + 1)), ok: i % 3 != 0) }
        try check { (b: inout SparseLatencyCounts, i) in b.record(micros: UInt64(1_000 * (i + 1))) }
        try check { (b: inout LatencyBandCounts, i) in b.record(band: i % HeatmapProjection.latencyBandCount, micros: UInt64(i + 7)) }
        try check { (b: inout VitalsSecond, i) in
            b.cpuTotal = Reading(value: Double(i) + 0.25, timeNs: t0 + Int64(i) * s)
            if i > 2 { b.load1m = Reading(value: -1.5, timeNs: t0 - 1) }
        }
    }

    @Test func decode_whenAPackedReadingIsNotFinite_refusesIt() throws {
        // A NaN read back would make a stored state that does not equal itself.
        let nan = Double.nan.bitPattern
        #expect(throws: PackedBucketError.self) { try VitalsSecond(packedWords: [1, nan, 5][...]) }
        #expect(try VitalsSecond(packedWords: [1, (2.5).bitPattern, 5][...]).cpuTotal == Reading(value: 2.5, timeNs: 5))
    }

    @Test func decode_whenAPackedSecondClaimsMoreErrorsThanOperations_refusesIt() throws {
        var second = LatencySecond()
        second.record(micros: 120, ok: false)
        var words: [UInt64] = []
        second.appendPackedWords(to: &words)
        #expect(try LatencySecond(packedWords: words[...]) == second)
        words[0] = 2
        #expect(throws: PackedBucketError.self) { try LatencySecond(packedWords: words[...]) }
        #expect(throws: PackedBucketError.self) { try LatencySecond(packedWords: [0][...]) }
    }
}
