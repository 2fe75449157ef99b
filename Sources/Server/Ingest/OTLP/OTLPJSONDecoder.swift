import EventStore

/// Decodes an OTLP/JSON `ExportMetricsServiceRequest`: the protobuf JSON mapping with
/// lowerCamelCase names, 64-bit integers as strings or numbers, enums as integers, as
/// the OTLP specification and the exporters' `json` protocol write it.
struct OTLPJSONDecoder {
    /// Where in the document the value being read is, for error messages.
    private var path = "request"

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(OTLPJSONError) -> OTLPMetrics {
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch { throw OTLPJSONError("not JSON: \(error)") }
        var decoder = OTLPJSONDecoder()
        return try decoder.request(root)
    }

    private mutating func request(_ root: JSONValue) throws(OTLPJSONError) -> OTLPMetrics {
        guard case .object = root else { throw fail("expected an object") }
        var metrics = OTLPMetrics()
        for (r, resourceMetrics) in try array(root["resourceMetrics"], "resourceMetrics").enumerated() {
            var resource = OTLPMetrics.Resource()
            path = "resourceMetrics[\(r)]"
            resource.attributes = try attributes(resourceMetrics["resource"]?["attributes"])
            for (s, scope) in try array(resourceMetrics["scopeMetrics"], "scopeMetrics").enumerated() {
                for (m, metric) in try array(scope["metrics"], "metrics").enumerated() {
                    path = "resourceMetrics[\(r)].scopeMetrics[\(s)].metrics[\(m)]"
                    resource.metrics.append(try self.metric(metric))
                }
            }
            metrics.resources.append(resource)
        }
        return metrics
    }

    private mutating func metric(_ value: JSONValue) throws(OTLPJSONError) -> OTLPMetrics.Metric {
        var metric = OTLPMetrics.Metric()
        guard case .string(let name)? = value["name"] else { throw fail("'name' is missing or not a string") }
        metric.name = name
        if let gauge = value["gauge"] {
            metric.data = .gauge(try array(gauge["dataPoints"], "gauge.dataPoints").map { (p: JSONValue) throws(OTLPJSONError) in try numberPoint(p) })
        } else if let sum = value["sum"] {
            let points = try array(sum["dataPoints"], "sum.dataPoints").map { (p: JSONValue) throws(OTLPJSONError) in try numberPoint(p) }
            metric.data = .sum(
                points, temporality: .init(code: try integer(sum["aggregationTemporality"], "aggregationTemporality") ?? 0),
                monotonic: sum["isMonotonic"] == .bool(true))
        } else if let histogram = value["histogram"] {
            let points = try array(histogram["dataPoints"], "histogram.dataPoints").map { (p: JSONValue) throws(OTLPJSONError) in try histogramPoint(p) }
            metric.data = .histogram(points, temporality: .init(code: try integer(histogram["aggregationTemporality"], "aggregationTemporality") ?? 0))
        } else if let exponential = value["exponentialHistogram"] {
            metric.data = .exponentialHistogram(points: try array(exponential["dataPoints"], "exponentialHistogram.dataPoints").count)
        } else if let summary = value["summary"] {
            metric.data = .summary(try array(summary["dataPoints"], "summary.dataPoints").map { (p: JSONValue) throws(OTLPJSONError) in try summaryPoint(p) })
        }
        return metric
    }

    private func numberPoint(_ value: JSONValue) throws(OTLPJSONError) -> OTLPMetrics.NumberPoint {
        var point = OTLPMetrics.NumberPoint()
        point.attributes = try attributes(value["attributes"])
        point.timeNs = try unsigned(value["timeUnixNano"], "timeUnixNano") ?? 0
        if let double = value["asDouble"] {
            point.value = try self.double(double, "asDouble")
        } else if let int = try integer(value["asInt"], "asInt") {
            point.value = Double(int)
        }
        point.noRecordedValue = (try integer(value["flags"], "flags") ?? 0) & Int64(OTLPMetrics.noRecordedValueFlag) != 0
        return point
    }

    private func histogramPoint(_ value: JSONValue) throws(OTLPJSONError) -> OTLPMetrics.HistogramPoint {
        var point = OTLPMetrics.HistogramPoint()
        point.attributes = try attributes(value["attributes"])
        point.timeNs = try unsigned(value["timeUnixNano"], "timeUnixNano") ?? 0
        point.count = try unsigned(value["count"], "count") ?? 0
        point.sum = try value["sum"].map { (v: JSONValue) throws(OTLPJSONError) in try double(v, "sum") }
        point.bucketCounts = try array(value["bucketCounts"], "bucketCounts").map { (v: JSONValue) throws(OTLPJSONError) in try unsigned(v, "bucketCounts") ?? 0 }
        point.explicitBounds = try array(value["explicitBounds"], "explicitBounds").map { (v: JSONValue) throws(OTLPJSONError) in try double(v, "explicitBounds") }
        point.noRecordedValue = (try integer(value["flags"], "flags") ?? 0) & Int64(OTLPMetrics.noRecordedValueFlag) != 0
        return point
    }

    private func summaryPoint(_ value: JSONValue) throws(OTLPJSONError) -> OTLPMetrics.SummaryPoint {
        var point = OTLPMetrics.SummaryPoint()
        point.attributes = try attributes(value["attributes"])
        point.timeNs = try unsigned(value["timeUnixNano"], "timeUnixNano") ?? 0
        point.count = try unsigned(value["count"], "count") ?? 0
        point.sum = try value["sum"].map { (v: JSONValue) throws(OTLPJSONError) in try double(v, "sum") } ?? 0
        for quantile in try array(value["quantileValues"], "quantileValues") {
            point.quantiles.append((
                try quantile["quantile"].map { (v: JSONValue) throws(OTLPJSONError) in try double(v, "quantile") } ?? 0,
                try quantile["value"].map { (v: JSONValue) throws(OTLPJSONError) in try double(v, "value") } ?? 0))
        }
        point.noRecordedValue = (try integer(value["flags"], "flags") ?? 0) & Int64(OTLPMetrics.noRecordedValueFlag) != 0
        return point
    }

    /// `[{"key": k, "value": {"stringValue": …}}]` as labels; non-scalar values are left out.
    private func attributes(_ value: JSONValue?) throws(OTLPJSONError) -> [(String, String)] {
        var labels: [(String, String)] = []
        for keyValue in try array(value, "attributes") {
            guard case .string(let key)? = keyValue["key"] else { throw fail("an attribute has no string 'key'") }
            let any = keyValue["value"]
            if case .string(let text)? = any?["stringValue"] {
                labels.append((key, text))
            } else if case .bool(let flag)? = any?["boolValue"] {
                labels.append((key, flag ? "true" : "false"))
            } else if let int = try integer(any?["intValue"], "intValue") {
                labels.append((key, String(int)))
            } else if let double = any?["doubleValue"] {
                labels.append((key, OTLPAttributeValue.format(try self.double(double, "doubleValue"))))
            }
        }
        return labels
    }

    private func array(_ value: JSONValue?, _ field: String) throws(OTLPJSONError) -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let elements)?: return elements
        default: throw fail("'\(field)' is not an array")
        }
    }

    private func integer(_ value: JSONValue?, _ field: String) throws(OTLPJSONError) -> Int64? {
        switch value {
        case nil, .null?: return nil
        case .number(_, let integer?)?: return integer
        case .string(let text)?:
            guard let integer = Int64(text) else { throw fail("'\(field)' \"\(text.prefix(40))\" is not a 64-bit integer") }
            return integer
        default: throw fail("'\(field)' is not an integer")
        }
    }

    private func unsigned(_ value: JSONValue?, _ field: String) throws(OTLPJSONError) -> UInt64? {
        if case .string(let text)? = value {
            guard let unsigned = UInt64(text) else { throw fail("'\(field)' \"\(text.prefix(40))\" is not an unsigned 64-bit integer") }
            return unsigned
        }
        guard let integer = try integer(value, field) else { return nil }
        guard integer >= 0 else { throw fail("'\(field)' is negative") }
        return UInt64(integer)
    }

    private func double(_ value: JSONValue, _ field: String) throws(OTLPJSONError) -> Double {
        switch value {
        case .number(let number, _): return number
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case .string(let text):
            guard let number = Double(text) else { throw fail("'\(field)' is not a number") }
            return number
        default: throw fail("'\(field)' is not a number")
        }
    }

    private func fail(_ reason: String) -> OTLPJSONError { OTLPJSONError("\(path): \(reason)") }
}

struct OTLPJSONError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
