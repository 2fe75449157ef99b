import EventStore
import Hummingbird
import PromQL

/// Prometheus's response envelope: `{"status":"success","data":...}` or
/// `{"status":"error","errorType":...,"error":...}`, values as strings.
enum PromAPIJSON {
    static func success(_ write: (inout JSONWriter) -> Void, warnings: [String] = []) -> Response {
        var writer = JSONWriter(reservingCapacity: 1024)
        writer.beginObject()
        writer.member("status", "success")
        writer.key("data")
        write(&writer)
        if !warnings.isEmpty {
            writer.key("warnings")
            writer.beginArray()
            for warning in warnings { writer.value(warning) }
            writer.endArray()
        }
        writer.endObject()
        return response(.ok, writer)
    }

    static func failure(_ error: PromAPIError) -> Response {
        var writer = JSONWriter(reservingCapacity: 128 + error.message.utf8.count)
        writer.beginObject()
        writer.member("status", "error")
        writer.member("errorType", error.kind.name)
        writer.member("error", error.message)
        writer.endObject()
        return response(error.status, writer)
    }

    private static func response(_ status: HTTPResponse.Status, _ writer: JSONWriter) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }

    static func write(_ value: QueryValue, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("resultType", value.resultType)
        writer.key("result")
        switch value {
        case .scalar(let t, let v):
            point(t, PromNumber.format(v), &writer)
        case .string(let t, let text):
            point(t, text, &writer)
        case .vector(let t, let elements):
            writer.beginArray()
            for element in elements {
                writer.beginObject()
                writer.key("metric")
                labels(element.labels, &writer)
                writer.key("value")
                point(t, PromNumber.format(element.value), &writer)
                writer.endObject()
            }
            writer.endArray()
        case .matrix(let series):
            writer.beginArray()
            for entry in series {
                writer.beginObject()
                writer.key("metric")
                labels(entry.labels, &writer)
                writer.key("values")
                writer.beginArray()
                for sample in entry.samples { point(sample.timestampMs, PromNumber.format(sample.value), &writer) }
                writer.endArray()
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
    }

    static func labels(_ labels: PromQL.Labels, _ writer: inout JSONWriter) {
        writer.beginObject()
        for pair in labels.pairs { writer.member(pair.name, pair.value) }
        writer.endObject()
    }

    /// `[1700000000.123, "value"]`: seconds with the milliseconds, as Prometheus writes them.
    static func point(_ ms: Int64, _ text: String, _ writer: inout JSONWriter) {
        writer.beginArray()
        writer.raw(seconds(ms))
        writer.value(text)
        writer.endArray()
    }

    static func seconds(_ ms: Int64) -> String {
        let negative = ms < 0
        let magnitude = ms.magnitude
        let whole = magnitude / 1000
        let fraction = magnitude % 1000
        var text = (negative ? "-" : "") + String(whole)
        if fraction != 0 {
            var digits = String(String(fraction + 1000).dropFirst())
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }
}
