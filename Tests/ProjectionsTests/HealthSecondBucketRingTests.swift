import EventStore
import Testing
@testable import Projections

@Suite struct HealthSecondBucketRingTests {
    @Test func add_withinWindow_sumsPerLane() {
        var ring = SecondBucketRing(capacitySeconds: 60, lanes: 2)
        ring.add(atNs: 1_000_000_000, [1, 0])
        ring.add(atNs: 1_500_000_000, [1, 1])
        ring.add(atNs: 30_000_000_000, [1, 0])
        #expect(ring.sum(lane: 0) == 3)
        #expect(ring.sum(lane: 1) == 1)
        #expect(ring.sum(lane: 0, windowSeconds: 10) == 1)
    }

    @Test func advance_pastWindow_dropsOldBuckets() {
        var ring = SecondBucketRing(capacitySeconds: 60, lanes: 1)
        ring.add(atNs: 0, [5])
        ring.add(atNs: 59_000_000_000, [1])
        #expect(ring.sum(lane: 0) == 6)
        ring.advance(toSecond: 60)
        #expect(ring.sum(lane: 0) == 1)
        ring.advance(toSecond: 1000)
        #expect(ring.sum(lane: 0) == 0)
    }

    @Test func add_lateEventOlderThanWindow_isCountedButNotAdded() {
        var ring = SecondBucketRing(capacitySeconds: 60, lanes: 1)
        ring.add(atNs: 100_000_000_000, [1])
        ring.add(atNs: 10_000_000_000, [7])
        ring.add(atNs: 90_000_000_000, [2])
        #expect(ring.sum(lane: 0) == 3)
        #expect(ring.lateCount == 1)
    }

    @Test func equalWindows_fromDifferentHistories_areEqual() {
        var a = SecondBucketRing(capacitySeconds: 60, lanes: 1)
        a.add(atNs: 1_000_000_000, [9])
        a.add(atNs: 200_000_000_000, [1])
        var b = SecondBucketRing(capacitySeconds: 60, lanes: 1)
        b.add(atNs: 200_000_000_000, [1])
        #expect(a.sum(lane: 0) == b.sum(lane: 0))
        #expect(a.newestSecond == b.newestSecond)
        #expect(a.lateCount == b.lateCount)
        #expect(a == b)
    }

    @Test func second_ofNegativeTime_floors() {
        #expect(SecondBucketRing.second(ofNs: -1) == -1)
        #expect(SecondBucketRing.second(ofNs: 999_999_999) == 0)
    }
}
