import Foundation
import Testing
@testable import Projections

@Suite struct WindowingKeyTableTests {
    @Test func update_whenNamesArriveOutOfOrder_keepsKeysSorted() {
        var t = BoundedKeyTable<OpCounts>(maxKeys: 10)
        for name in ["zeta", "alpha", "mid", "alpha"] { t.update(name, make: OpCounts.init) { $0.record(ok: true) } }
        #expect(t.keys == ["alpha", "mid", "zeta"])
        #expect(t["alpha"]?.count == 2)
    }

    @Test func update_whenTableFull_foldsNewNamesIntoOverflowKey() {
        var t = BoundedKeyTable<OpCounts>(maxKeys: 2)
        for name in ["a", "b", "c", "d", "a"] { t.update(name, make: OpCounts.init) { $0.record(ok: true) } }
        #expect(t.keys == ["a", "b", "other"])
        #expect(t["other"]?.count == 2)
        #expect(t["a"]?.count == 2)
        #expect(t.overflowedEvents == 2)
    }

    @Test func encode_whenSameNamesInDifferentOrder_givesSameBytes() throws {
        var a = BoundedKeyTable<OpCounts>(maxKeys: 10), b = BoundedKeyTable<OpCounts>(maxKeys: 10)
        for name in ["x", "y", "z"] { a.update(name, make: OpCounts.init) { $0.record(ok: true) } }
        for name in ["z", "x", "y"] { b.update(name, make: OpCounts.init) { $0.record(ok: true) } }
        #expect(a == b)
        #expect(try WindowFixtures.sortedJSON(a) == WindowFixtures.sortedJSON(b))
        let back = try WindowFixtures.roundTrip(a)
        #expect(back == a)
        var c = back
        c.update("y", make: OpCounts.init) { $0.record(ok: false) }
        #expect(c["y"] == OpCounts(count: 2, errors: 1))
    }

    @Test func merge_addsSameNames_andInsertsNewOnes() {
        var a = BoundedKeyTable<OpCounts>(maxKeys: 10), b = BoundedKeyTable<OpCounts>(maxKeys: 10)
        a.update("x", make: OpCounts.init) { $0.record(ok: true) }
        b.update("x", make: OpCounts.init) { $0.record(ok: false) }
        b.update("w", make: OpCounts.init) { $0.record(ok: true) }
        a.merge(b, make: OpCounts.init)
        #expect(a.keys == ["w", "x"])
        #expect(a["x"] == OpCounts(count: 2, errors: 1))
    }
}
