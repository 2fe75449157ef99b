import Testing
@testable import Server

@Suite struct SSEFramingTests {
    private func text(_ message: SSEMessage) -> String {
        String(decoding: SSEFraming.encode(message), as: UTF8.self)
    }

    @Test func encode_withEventIdAndSingleLine_writesFieldsAndBlankLine() {
        #expect(text(SSEMessage(event: "health", id: 42, data: #"{"score":97}"#)) == "event: health\nid: 42\ndata: {\"score\":97}\n\n")
    }

    @Test func encode_withMultiLineData_writesOneDataLinePerLine_forEveryKindOfBreak() {
        #expect(text(SSEMessage(data: "a\nb\r\nc\rd")) == "data: a\ndata: b\ndata: c\ndata: d\n\n")
    }

    @Test func encode_withTrailingBreakAndEmptyLines_keepsEmptyDataLines() {
        #expect(text(SSEMessage(data: "a\n\nb\n")) == "data: a\ndata: \ndata: b\ndata: \n\n")
    }

    @Test func encode_withEmptyData_stillWritesADataLine_soTheBrowserDispatchesIt() {
        #expect(text(SSEMessage(event: "reset", data: "")) == "event: reset\ndata: \n\n")
    }

    @Test func encode_withLeadingSpaceInData_keepsIt_becauseTheParserStripsOnlyOne() {
        #expect(text(SSEMessage(data: " x")) == "data:  x\n\n")
    }

    @Test func encode_withBreaksInEventName_removesThem_soNoFieldCanBeInjected() {
        #expect(text(SSEMessage(event: "a\ndata: evil", data: "x")) == "event: adata: evil\ndata: x\n\n")
    }

    @Test func encode_withRetry_writesRetryFieldFirst() {
        #expect(text(SSEMessage(event: "metrics", data: "{}", retryMs: 3000)) == "retry: 3000\nevent: metrics\ndata: {}\n\n")
    }

    @Test func comment_isAColonLineAndBlankLine() {
        #expect(String(decoding: SSEFraming.comment(), as: UTF8.self) == ": keep-alive\n\n")
        #expect(String(decoding: SSEFraming.retry(milliseconds: 5000), as: UTF8.self) == "retry: 5000\n\n")
    }

    @Test func encode_withNonASCIIAndCombiningMarksAfterBreak_splitsOnlyAtBreaks() {
        #expect(text(SSEMessage(data: "é\n\u{301}ü")) == "data: é\ndata: \u{301}ü\n\n")
    }
}
