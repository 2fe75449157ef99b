import EventStore

/// The JSON text messages of `GET /api/v1/ws`.
///
/// Server to client, one per text frame: every live-stream message as
/// `{"type":<SSE event name>,"offset":<log offset or null>,"data":<the SSE data>}`
/// (`metrics`, `health`, `alert`, `circuit-breaker`, `optimization`, `cache-stats`,
/// `batch-metrics`, `topology`, `reset`, `lagged`), and the answers to commands:
/// `{"type":"pong","offset":...}` and `{"type":"error","error":...,"detail":...}`.
///
/// Client to server: `{"type":"resume","since":<offset>}` (first message only),
/// `{"type":"ping"}`, `{"type":"request_metrics"}` (answered with a `metrics` message
/// of the current views).
enum WebSocketMessages {
    /// A live-stream message in the WebSocket envelope. `data` is already JSON text.
    static func envelope(_ message: SSEMessage) -> String {
        var writer = JSONWriter(reservingCapacity: message.data.utf8.count + 48)
        writer.beginObject()
        writer.member("type", message.event ?? "message")
        writer.key("offset")
        if let id = message.id { writer.value(id) } else { writer.null() }
        writer.key("data")
        writer.raw(message.data)
        writer.endObject()
        return writer.string
    }

    static func pong(offset: UInt64?) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("type", "pong")
        writer.key("offset")
        if let offset { writer.value(offset) } else { writer.null() }
        writer.endObject()
        return writer.string
    }

    static func error(_ error: String, detail: String) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("type", "error")
        writer.member("error", error)
        writer.member("detail", detail)
        writer.endObject()
        return writer.string
    }
}

/// A command a WebSocket client sent.
enum WebSocketCommand: Equatable {
    case resume(since: String)
    case ping
    case requestMetrics

    /// Parses one text message; the error says what was wrong, for the `error` reply.
    static func parse(_ text: String) -> Result<WebSocketCommand, WebSocketCommandError> {
        guard let value = try? JSONParser.parse(text), case .object = value else {
            return .failure(WebSocketCommandError("a command is a JSON object such as {\"type\":\"ping\"}"))
        }
        guard case .string(let type)? = value["type"] else {
            return .failure(WebSocketCommandError("a command needs a string 'type': resume, ping or request_metrics"))
        }
        switch type {
        case "ping":
            return .success(.ping)
        case "request_metrics":
            return .success(.requestMetrics)
        case "resume":
            switch value["since"] {
            case .number(_, let integer?)? where integer >= 0:
                return .success(.resume(since: String(integer)))
            case .string(let text)?:
                return .success(.resume(since: text))
            default:
                return .failure(WebSocketCommandError("'resume' needs 'since': the offset of the last message received"))
            }
        default:
            let shown = type.count > 40 ? String(type.prefix(40)) + "…" : type
            return .failure(WebSocketCommandError("unknown command type '\(shown)': one of resume, ping, request_metrics"))
        }
    }
}

struct WebSocketCommandError: Error, Equatable {
    let detail: String
    init(_ detail: String) { self.detail = detail }
}
