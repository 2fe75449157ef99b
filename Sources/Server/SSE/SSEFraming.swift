/// Frames messages in the `text/event-stream` format of the WHATWG HTML spec
/// (section 9.2, "Server-sent events").
///
/// The parser on the other side splits lines on CR, LF or CRLF and strips exactly one
/// space after the colon, so every line of `data` becomes its own `data: ` line and
/// field values that cannot hold line breaks (`event`, `id`) have them removed.
public enum SSEFraming {
    public static let contentType = "text/event-stream; charset=utf-8"

    /// The bytes of one message, ending with the blank line that dispatches it.
    public static func encode(_ message: SSEMessage) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.data.utf8.count + 48)
        if let retryMs = message.retryMs {
            precondition(retryMs >= 0, "retry must be a non-negative number of milliseconds")
            append("retry: ", String(retryMs), to: &out)
        }
        if let event = message.event {
            append("event: ", singleLine(event), to: &out)
        }
        if let id = message.id {
            append("id: ", String(id), to: &out)
        }
        // At least one data line, even for empty data: a message with no data line is
        // never dispatched by a browser.
        for line in dataLines(message.data) {
            append("data: ", line, to: &out)
        }
        out.append(0x0A)
        return out
    }

    /// A comment line; clients ignore it, proxies see traffic and keep the connection open.
    public static func comment(_ text: String = "keep-alive") -> [UInt8] {
        var out: [UInt8] = []
        append(": ", singleLine(text), to: &out)
        out.append(0x0A)
        return out
    }

    /// A message-less block that only sets the client's reconnection delay.
    public static func retry(milliseconds: Int) -> [UInt8] {
        precondition(milliseconds >= 0, "retry must be a non-negative number of milliseconds")
        var out: [UInt8] = []
        append("retry: ", String(milliseconds), to: &out)
        out.append(0x0A)
        return out
    }

    /// Splits on CRLF, CR and LF, as the client-side parser does. Works on unicode
    /// scalars: "\r\n" is one `Character` but must count as one break, not zero.
    static func dataLines(_ data: String) -> [String] {
        let scalars = data.unicodeScalars
        var lines: [String] = []
        var lineStart = scalars.startIndex
        var index = scalars.startIndex
        while index != scalars.endIndex {
            let scalar = scalars[index]
            guard scalar == "\r" || scalar == "\n" else {
                index = scalars.index(after: index)
                continue
            }
            lines.append(String(scalars[lineStart..<index]))
            var next = scalars.index(after: index)
            if scalar == "\r", next != scalars.endIndex, scalars[next] == "\n" {
                next = scalars.index(after: next)
            }
            index = next
            lineStart = next
        }
        lines.append(String(scalars[lineStart...]))
        return lines
    }

    private static func singleLine(_ text: String) -> String {
        // NUL too: the spec ignores an `id` field containing it.
        guard text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" && $0 != "\0" }))
    }

    private static func append(_ field: String, _ value: some StringProtocol, to out: inout [UInt8]) {
        out.append(contentsOf: field.utf8)
        out.append(contentsOf: value.utf8)
        out.append(0x0A)
    }
}
