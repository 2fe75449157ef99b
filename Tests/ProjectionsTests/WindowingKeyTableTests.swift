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

    @Test func update_findsEveryName_asADictionaryOfTheSameNamesDoes_overRandomNames() {
        var random = SystemRandomNumberGenerator()
        // Short and long, ASCII and not: hashed by their bytes or kept aside.
        let alphabet = ["a", "b", "/", "GET ", "é", "e\u{301}", "K", "\u{212A}", "漢", "0123456789"]
        for _ in 0..<100 {
            var table = BoundedKeyTable<OpCounts>(maxKeys: 64)
            var expected: [String: UInt64] = [:]
            for _ in 0..<Int.random(in: 1..<300, using: &random) {
                let name = (0..<Int.random(in: 1...4, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
                let target = expected[name] != nil || expected.count < 64 ? name : "other"
                table.update(name, make: OpCounts.init) { $0.record(ok: true) }
                expected[target, default: 0] += 1
            }
            // Names equal as Swift strings ("é" and "e\u{301}") are one key, as in the dictionary.
            #expect(table.keys.count == expected.count)
            for (name, count) in expected { #expect(table[name]?.count == count, "\(name)") }
        }
    }

    @Test func update_aNameOfOtherBytesEqualToAnASCIIName_isThatName() {
        var table = BoundedKeyTable<OpCounts>(maxKeys: 10)
        table.update("K", make: OpCounts.init) { $0.record(ok: true) }
        table.update("\u{212A}", make: OpCounts.init) { $0.record(ok: true) }  // KELVIN SIGN, canonically "K"
        table.update("caf\u{E9}", make: OpCounts.init) { $0.record(ok: true) }
        table.update("cafe\u{301}", make: OpCounts.init) { $0.record(ok: true) }
        #expect(table.keys.count == 2)
        #expect(table["K"]?.count == 2 && table["\u{212A}"]?.count == 2 && table["caf\u{E9}"]?.count == 2)
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
