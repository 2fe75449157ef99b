import PromQL
import Testing

@Suite struct ParsedQueriesTests {
    @Test func aTextParsedBefore_givesWhatANewParseGives_errorsIncluded() throws {
        let cache = ParsedQueries(capacity: 8)
        let texts = ["rate(x{job=\"a\"}[5m])", "sum by (job) (x) > bool 1", "x[5m] offset 1h", "rate(x[5m]", "1 +", "sum(x) by", "x{a=~\"(\"}"]
        for _ in 0..<3 {
            for text in texts {
                let fresh = Result { () throws(PromQLError) in try Parser.parse(text) }
                let cached = Result { () throws(PromQLError) in try cache.parse(text) }
                switch (fresh, cached) {
                case (.success(let a), .success(let b)): #expect(a == b, "\(text)")
                case (.failure(let a), .failure(let b)): #expect(a == b, "\(text)")
                default: Issue.record("\(text): \(fresh) parsed, \(cached) from the cache")
                }
            }
        }
        #expect(cache.count == texts.count)
    }

    @Test func aFullCache_startsAgain_andLongTextsAreNotKept() throws {
        let cache = ParsedQueries(capacity: 4)
        for number in 0..<4 { _ = try cache.parse("x\(number)") }
        #expect(cache.count == 4)
        _ = try cache.parse("x4")
        #expect(cache.count == 1)
        let long = "x" + String(repeating: " + x", count: ParsedQueries.textBytesMax / 4)
        #expect(try cache.parse(long) == (try Parser.parse(long)))
        #expect(cache.count == 1)
    }
}
