import EventStore
import Foundation
import Hummingbird
import PromQL

/// The parameters of a Prometheus API request: the URL's query string and, for a
/// form-encoded POST, the body's, in that order; a name may repeat (`match[]`).
struct PromAPIParameters {
    private(set) var values: [(name: String, value: String)] = []

    /// Most bytes of a form body (Prometheus reads queries of any length; a bound
    /// keeps one request from holding the server's memory).
    static let formBytesMax = 1 << 20

    static func read(_ request: Request) async throws -> PromAPIParameters {
        var body: ByteBuffer?
        if request.method == .post {
            if let refusal = formRefusal(contentType: request.headers[.contentType]) { throw refusal }
            do { body = try await request.body.collect(upTo: formBytesMax) } catch { throw formTooLarge }
        }
        return PromAPIParameters(query: request.uri.query.map { $0[...] }, form: body)
    }

    /// The pairs of a request target's query string (after `?`, before `#`) then a POST's form body.
    init(query: Substring?, form: ByteBuffer?) {
        if let query { values = Self.decode(query) }
        if let form { values += Self.decode(Substring(String(buffer: form))) }
    }

    init() {}

    /// The query string of a request target: what follows `?`, up to `#`.
    static func query(ofTarget target: Substring) -> Substring? {
        guard let mark = target.firstIndex(of: "?") else { return nil }
        let rest = target[target.index(after: mark)...]
        return rest.prefix { $0 != "#" }
    }

    /// Why a POST with this content type is refused, if it is: Prometheus reads form bodies only.
    static func formRefusal(contentType: String?) -> PromAPIError? {
        let type = contentType ?? ""
        guard !type.lowercased().hasPrefix("application/x-www-form-urlencoded") else { return nil }
        return PromAPIError(.badData, "POST bodies must be application/x-www-form-urlencoded, got \(type.isEmpty ? "none" : type)")
    }

    static let formTooLarge = PromAPIError(.badData, "the form body is over \(formBytesMax) bytes or could not be read")

    /// `application/x-www-form-urlencoded` pairs: `+` is a space, `%XX` a byte. A
    /// part with a broken escape is kept as sent (with `+` as spaces). Byte by byte: Foundation's percent decoding cost as much as
    /// reading a one-series query's samples (BENCHMARKS, the one-series query).
    static func decode(_ form: Substring) -> [(name: String, value: String)] {
        form.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            return (unescape(parts[0]), parts.count > 1 ? unescape(parts[1]) : "")
        }
    }

    static func unescape(_ part: Substring.UTF8View) -> String {
        let plus = UInt8(ascii: "+"), percent = UInt8(ascii: "%"), space = UInt8(ascii: " ")
        guard part.contains(where: { $0 == plus || $0 == percent }) else { return String(Substring(part)) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(part.count)
        var index = part.startIndex
        var escapesValid = true
        while index != part.endIndex {
            let byte = part[index]
            part.formIndex(after: &index)
            if byte == plus {
                bytes.append(space)
            } else if byte == percent, index != part.endIndex, let high = hexValue(part[index]),
                case let next = part.index(after: index), next != part.endIndex, let low = hexValue(part[next]) {
                bytes.append(high << 4 | low)
                index = part.index(after: next)
            } else if byte == percent {
                escapesValid = false
                break
            } else {
                bytes.append(byte)
            }
        }
        // Bytes that are not UTF-8 become U+FFFD, as Foundation's decoding made them.
        if escapesValid { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: part.map { $0 == plus ? space : $0 }, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    mutating func append(_ name: String, _ value: String) { values.append((name, value)) }

    /// The first non-empty value of `name`.
    func text(_ name: String) -> String? {
        values.first { $0.name == name && !$0.value.isEmpty }?.value
    }

    func all(_ name: String) -> [String] {
        values.filter { $0.name == name }.map(\.value)
    }

    /// Prometheus's `parseTime`: float Unix seconds (rounded to the millisecond) or RFC 3339.
    func timeMs(_ name: String) throws(PromAPIError) -> Int64? {
        guard let raw = text(name) else { return nil }
        guard let ms = Self.parseTimeMs(raw) else {
            throw PromAPIError(.badData, "invalid parameter \(Self.quoted(name)): cannot parse \(Self.quoted(raw)) to a valid timestamp")
        }
        return ms
    }

    static func parseTimeMs(_ raw: String) -> Int64? {
        if let seconds = Double(raw), seconds.isFinite, abs(seconds) < 9.2e15 {
            let whole = seconds.rounded(.towardZero)
            let fraction = ((seconds - whole) * 1000).rounded()
            return Int64(whole) * 1000 + Int64(fraction)
        }
        // Prometheus's names for the ends of time.
        if raw == "-292273086-05-16T16:47:06Z" { return Int64.min / 1_000_000 }
        if raw == "292277025-08-18T07:12:54.999999999Z" { return Int64.max / 1_000_000 }
        guard raw.contains("T"), let ns = EventTime.parseRFC3339(raw) else { return nil }
        return LogSampleSource.milliseconds(ns)
    }

    /// Prometheus's `parseDuration`: float seconds or a duration such as `1m30s`, in milliseconds.
    func durationMs(_ name: String) throws(PromAPIError) -> Int64? {
        guard let raw = text(name) else { return nil }
        if let seconds = Double(raw), seconds.isFinite, seconds * 1000 < 9.2e18, seconds * 1000 > -9.2e18 {
            return Int64(seconds * 1000)
        }
        if let ms = Parser.duration(raw) { return ms }
        throw PromAPIError(.badData, "invalid parameter \(Self.quoted(name)): cannot parse \(Self.quoted(raw)) to a valid duration")
    }

    static func quoted(_ text: String) -> String {
        "\"" + (text.count > 200 ? String(text.prefix(200)) + "…" : text).replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// An error answered in Prometheus's envelope with its `errorType` and status.
struct PromAPIError: Error, Sendable, CustomStringConvertible {
    let kind: PromQLError.Kind
    let message: String

    init(_ kind: PromQLError.Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    init(_ error: PromQLError) {
        self.init(error.kind, error.message)
    }

    var description: String { "\(kind): \(message)" }

    /// Prometheus's statuses: 400 bad_data, 422 execution, 503 timeout, 499 canceled.
    var status: HTTPResponse.Status {
        switch kind {
        case .badData: .badRequest
        case .execution: HTTPResponse.Status(code: 422, reasonPhrase: "Unprocessable Entity")
        case .timeout: .serviceUnavailable
        case .canceled: HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
        default: .internalServerError
        }
    }
}
