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
        var parameters = PromAPIParameters()
        if let query = request.uri.query { parameters.values += decode(query) }
        if request.method == .post {
            let type = request.headers[.contentType] ?? ""
            guard type.lowercased().hasPrefix("application/x-www-form-urlencoded") else {
                throw PromAPIError(.badData, "POST bodies must be application/x-www-form-urlencoded, got \(type.isEmpty ? "none" : type)")
            }
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: formBytesMax) } catch {
                throw PromAPIError(.badData, "the form body is over \(formBytesMax) bytes or could not be read")
            }
            parameters.values += decode(String(buffer: buffer))
        }
        return parameters
    }

    static func decode(_ form: String) -> [(name: String, value: String)] {
        form.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func unescape(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (unescape(parts[0]), parts.count > 1 ? unescape(parts[1]) : "")
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
struct PromAPIError: Error, CustomStringConvertible {
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

    /// Prometheus's statuses: 400 bad_data, 422 execution, 503 timeout.
    var status: HTTPResponse.Status {
        switch kind {
        case .badData: .badRequest
        case .execution: HTTPResponse.Status(code: 422, reasonPhrase: "Unprocessable Entity")
        case .timeout: .serviceUnavailable
        default: .internalServerError
        }
    }
}
