import EventStore
import Hummingbird
import PromQL

/// Prometheus's response envelope: `{"status":"success","data":...}` or
/// `{"status":"error","errorType":...,"error":...}`, values as strings.
enum PromAPIJSON {
    /// The content type of every answer.
    static let contentType = "application/json"

    static func success(_ write: (inout JSONWriter) -> Void, warnings: [String] = []) -> Response {
        successAnswer(write, warnings: warnings).response
    }

    static func failure(_ error: PromAPIError) -> Response {
        failureAnswer(error).response
    }

    static func successAnswer(_ write: (inout JSONWriter) -> Void, warnings: [String] = []) -> PromAPIAnswer {
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
        return PromAPIAnswer(status: .ok, body: writer.bytes)
    }

    static func failureAnswer(_ error: PromAPIError) -> PromAPIAnswer {
        var writer = JSONWriter(reservingCapacity: 128 + error.message.utf8.count)
        writer.beginObject()
        writer.member("status", "error")
        writer.member("errorType", error.kind.name)
        writer.member("error", error.message)
        writer.endObject()
        return PromAPIAnswer(status: error.status, body: writer.bytes)
    }

    static func write(_ value: QueryValue, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("resultType", value.resultType)
        writer.key("result")
        switch value {
        case .scalar(let t, let v):
            // Prometheus writes a scalar with Go's `'f'` form whatever its size.
            point(t, v, sampleValue: false, &writer)
        case .string(let t, let text):
            writer.beginArray()
            writer.raw(seconds(t))
            writer.value(text)
            writer.endArray()
        case .vector(let t, let elements):
            writer.beginArray()
            for element in elements {
                writer.beginObject()
                writer.key("metric")
                labels(element.labels, &writer)
                writer.key("value")
                point(t, element.value, &writer)
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
                for sample in entry.samples { point(sample.timestampMs, sample.value, &writer) }
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

    /// `[1700000000.123,"value"]`: seconds with the milliseconds, as Prometheus writes
    /// them, and the value as a string, a sample's as Prometheus writes a vector's and a
    /// matrix's (`PromNumber.appendSampleValue`). Written byte by byte: a matrix holds
    /// thousands.
    static func point(_ ms: Int64, _ value: Double, sampleValue: Bool = true, _ writer: inout JSONWriter) {
        writer.rawValue { bytes in
            bytes.append(UInt8(ascii: "["))
            appendSeconds(ms, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            bytes.append(UInt8(ascii: "\""))
            if sampleValue { PromNumber.appendSampleValue(value, to: &bytes) } else { PromNumber.append(value, to: &bytes) }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(UInt8(ascii: "]"))
        }
    }

    static func seconds(_ ms: Int64) -> String {
        var bytes: [UInt8] = []
        appendSeconds(ms, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `1700000000`, `1700000000.5`, `-0.25`: whole seconds, then the milliseconds
    /// without trailing zeros.
    static func appendSeconds(_ ms: Int64, to bytes: inout [UInt8]) {
        let magnitude = ms.magnitude
        if ms < 0 { bytes.append(UInt8(ascii: "-")) }
        PromNumber.appendDecimal(Int64(magnitude / 1000), to: &bytes)
        var fraction = Int(magnitude % 1000)
        guard fraction != 0 else { return }
        bytes.append(UInt8(ascii: "."))
        var divisor = 100
        while fraction != 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }
}

extension PromAPIAnswer {
    var response: Response {
        Response(status: status, headers: [.contentType: PromAPIJSON.contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
