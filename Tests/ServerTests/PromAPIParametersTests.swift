import Foundation
import Testing
@testable import Server

/// The form decoding of the Prometheus API's query strings and POST bodies, written
/// byte by byte for speed, must read every form as Foundation's percent decoding did.
@Suite struct PromAPIParametersTests {
    @Test func formPairs_areDecodedAsFoundationDecodesThem() {
        let pairs = PromAPIParameters.decode(
            "query=sum+by+(job)+(rate(x%7Bjob%3D%22a%22%7D%5B5m%5D))&time=1700000000.5&match%5B%5D=up&match[]=%C3%A9t%C3%A9&empty=&bare&&x=1=2")
        #expect(pairs.map(\.name) == ["query", "time", "match[]", "match[]", "empty", "bare", "x"])
        #expect(pairs.map(\.value) == [#"sum by (job) (rate(x{job="a"}[5m]))"#, "1700000000.5", "up", "été", "", "", "1=2"])
    }

    @Test func brokenEscapes_keepThePartAsSentWithSpaces_andNonUTF8BytesAreReplaced() {
        #expect(PromAPIParameters.decode("q=a+%zz+b").map(\.value) == ["a %zz b"])
        #expect(PromAPIParameters.decode("q=100%").map(\.value) == ["100%"])
        #expect(PromAPIParameters.decode("q=%4").map(\.value) == ["%4"])
        // Bytes that are not UTF-8 are replaced, each ill-formed sequence by one U+FFFD.
        #expect(PromAPIParameters.decode("q=a+%FF&r=%C3&s=%A9x&t=%C3%A9").map(\.value) == ["a \u{FFFD}", "\u{FFFD}", "\u{FFFD}x", "é"])
        #expect(PromAPIParameters.decode("q=%2B%2b").map(\.value) == ["++"])
    }

    /// Random forms of the characters that matter (escapes valid and broken, `+`,
    /// multi-byte text; no hex digit after a bare `%`) whose bytes are UTF-8, against Foundation's
    /// `removingPercentEncoding` (which refuses or repairs other bytes inconsistently).
    @Test(arguments: [1, 2, 3])
    func randomForms_decodeAsFoundation(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let pieces = ["g", "Z", "+", "%", "%2", "%20", "%2B", "%3d", "%C3%A9", "%E2%82%AC", "%zz", "=", "é", "{", "\"", " "]
        for _ in 0..<2000 {
            let value = (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let spaced = value.replacingOccurrences(of: "+", with: " ")
            let expected = spaced.removingPercentEncoding ?? spaced
            #expect(PromAPIParameters.unescape(Substring(value).utf8) == expected, "\(value)")
        }
    }
}
