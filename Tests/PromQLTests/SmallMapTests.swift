@testable import PromQL
import TestSupport
import Testing

/// The evaluator's per-query maps answer as a dictionary would, on both sides of
/// the size where the list of keys becomes a dictionary.
@Suite struct SmallMapTests {
    @Test(arguments: [1, 2, 3])
    func randomSetsReadsAndRemovals_answerAsADictionary(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var map = SmallMap<String, Int>()
        var reference: [String: Int] = [:]
        // Key counts around `listedMax`: some runs stay listed, some pass it.
        let keyCount = Int(random.next() % UInt64(SmallMap<String, Int>.listedMax * 3)) + 1
        for step in 0..<2_000 {
            let key = "k\(random.next() % UInt64(keyCount))"
            switch random.next() % 4 {
            case 0, 1:
                map[key] = step
                reference[key] = step
            case 2:
                #expect(map.removeValue(forKey: key) == reference.removeValue(forKey: key))
            default:
                map[key] = nil
                reference[key] = nil
            }
            #expect(map.count == reference.count)
            let probe = "k\(random.next() % UInt64(keyCount + 2))"
            #expect(map[probe] == reference[probe], "step \(step), key \(probe)")
        }
        for (key, value) in reference { #expect(map[key] == value) }
    }

    @Test func keysPastTheListedCount_areAllKept() {
        var map = SmallMap<Int, Int>()
        let count = SmallMap<Int, Int>.listedMax * 4
        for key in 0..<count { map[key] = key * 10 }
        #expect(map.count == count)
        for key in 0..<count { #expect(map[key] == key * 10) }
        #expect(map[count] == nil)
    }
}
