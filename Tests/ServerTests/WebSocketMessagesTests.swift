import EventStore
import Foundation
import Testing
@testable import Server

/// The WebSocket stream's text messages, without a socket.
@Suite struct WebSocketMessagesTests {
    @Test func envelope_wrapsTheSSEMessage_withItsOffset_andItsDataAsJSON() throws {
        let text = WebSocketMessages.envelope(SSEMessage(event: "health", id: 42, data: #"{"score":97.5,"note":"a \"quoted\" <b>"}"#))
        let object = try jsonObject(text)
        #expect(object["type"] as? String == "health")
        #expect(object["offset"] as? Int == 42)
        let data = object["data"] as? [String: Any]
        #expect(data?["score"] as? Double == 97.5)
        #expect(data?["note"] as? String == #"a "quoted" <b>"#)
        let lagged = try jsonObject(WebSocketMessages.envelope(SSEMessage(event: "lagged", data: "{}")))
        #expect(lagged["offset"] is NSNull)
    }

    @Test func parse_readsTheThreeCommands_andNamesWhatIsWrongOtherwise() {
        #expect(WebSocketCommand.parse(#"{"type":"ping"}"#) == .success(.ping))
        #expect(WebSocketCommand.parse(#"{"type":"request_metrics"}"#) == .success(.requestMetrics))
        #expect(WebSocketCommand.parse(#"{"type":"resume","since":120}"#) == .success(.resume(since: "120")))
        #expect(WebSocketCommand.parse(#"{"type":"resume","since":"7"}"#) == .success(.resume(since: "7")))
        for (text, says) in [
            ("not json", "JSON object"), (#"["ping"]"#, "JSON object"), (#"{"kind":"ping"}"#, "'type'"),
            (#"{"type":"resume"}"#, "'since'"), (#"{"type":"resume","since":-1}"#, "'since'"), (#"{"type":"subscribe"}"#, "unknown command"),
        ] {
            guard case .failure(let error) = WebSocketCommand.parse(text) else {
                Issue.record("\(text) was accepted")
                continue
            }
            #expect(error.detail.contains(says), "\(text): \(error.detail)")
        }
    }

    @Test func queryValue_readsSinceFromTheUpgradeTarget() {
        #expect(WebSocketStream.queryValue("since", in: "/api/v1/ws?since=15") == "15")
        #expect(WebSocketStream.queryValue("since", in: "/api/v1/ws?a=1&since=%32") == "2")
        #expect(WebSocketStream.queryValue("since", in: "/api/v1/ws") == nil)
    }
}
