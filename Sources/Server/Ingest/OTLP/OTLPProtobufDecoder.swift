/// Decodes an OTLP `ExportMetricsServiceRequest` from the protobuf wire format
/// (opentelemetry-proto metrics/v1, field numbers as its .proto files declare them).
enum OTLPProtobufDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(ProtobufError) -> OTLPMetrics {
        var request = ProtobufReader(bytes)
        var metrics = OTLPMetrics()
        while let field = try request.nextField() {
            guard field.number == 1 else { try request.skip(field.wireType); continue }
            try request.expect(.lengthDelimited, field.wireType, field: "resource_metrics")
            var message = try request.message()
            metrics.resources.append(try resourceMetrics(&message))
        }
        return metrics
    }

    private static func resourceMetrics(_ reader: inout ProtobufReader) throws(ProtobufError) -> OTLPMetrics.Resource {
        var resource = OTLPMetrics.Resource()
        while let field = try reader.nextField() {
            switch field.number {
            case 1:
                try reader.expect(.lengthDelimited, field.wireType, field: "resource")
                var message = try reader.message()
                while let inner = try message.nextField() {
                    guard inner.number == 1 else { try message.skip(inner.wireType); continue }
                    try message.expect(.lengthDelimited, inner.wireType, field: "resource.attributes")
                    var keyValue = try message.message()
                    if let attribute = try self.keyValue(&keyValue) { resource.attributes.append(attribute) }
                }
            case 2:
                try reader.expect(.lengthDelimited, field.wireType, field: "scope_metrics")
                var scope = try reader.message()
                while let inner = try scope.nextField() {
                    guard inner.number == 2 else { try scope.skip(inner.wireType); continue }
                    try scope.expect(.lengthDelimited, inner.wireType, field: "metrics")
                    var message = try scope.message()
                    resource.metrics.append(try metric(&message))
                }
            default:
                try reader.skip(field.wireType)
            }
        }
        return resource
    }

    private static func metric(_ reader: inout ProtobufReader) throws(ProtobufError) -> OTLPMetrics.Metric {
        var metric = OTLPMetrics.Metric()
        while let field = try reader.nextField() {
            switch field.number {
            case 1:
                try reader.expect(.lengthDelimited, field.wireType, field: "metric.name")
                metric.name = try reader.string(bytesMax: 1024)
            case 5, 7, 9, 10, 11:
                try reader.expect(.lengthDelimited, field.wireType, field: "metric.data")
                var data = try reader.message()
                metric.data = try self.data(field.number, &data)
            default:
                try reader.skip(field.wireType)
            }
        }
        return metric
    }

    private static func data(_ number: UInt64, _ reader: inout ProtobufReader) throws(ProtobufError) -> OTLPMetrics.Data {
        var numberPoints: [OTLPMetrics.NumberPoint] = []
        var histogramPoints: [OTLPMetrics.HistogramPoint] = []
        var summaryPoints: [OTLPMetrics.SummaryPoint] = []
        var exponentialPoints = 0
        var temporality = OTLPMetrics.Temporality.unspecified
        var monotonic = false
        while let field = try reader.nextField() {
            switch (number, field.number) {
            case (5, 1), (7, 1):
                try reader.expect(.lengthDelimited, field.wireType, field: "data_points")
                var point = try reader.message()
                numberPoints.append(try numberPoint(&point))
            case (9, 1):
                try reader.expect(.lengthDelimited, field.wireType, field: "data_points")
                var point = try reader.message()
                histogramPoints.append(try histogramPoint(&point))
            case (10, 1):
                exponentialPoints += 1
                try reader.skip(field.wireType)
            case (11, 1):
                try reader.expect(.lengthDelimited, field.wireType, field: "data_points")
                var point = try reader.message()
                summaryPoints.append(try summaryPoint(&point))
            case (7, 2), (9, 2), (10, 2):
                try reader.expect(.varint, field.wireType, field: "aggregation_temporality")
                temporality = OTLPMetrics.Temporality(code: try reader.int64())
            case (7, 3):
                try reader.expect(.varint, field.wireType, field: "is_monotonic")
                monotonic = try reader.varint() != 0
            default:
                try reader.skip(field.wireType)
            }
        }
        switch number {
        case 5: return .gauge(numberPoints)
        case 7: return .sum(numberPoints, temporality: temporality, monotonic: monotonic)
        case 9: return .histogram(histogramPoints, temporality: temporality)
        case 10: return .exponentialHistogram(points: exponentialPoints)
        default: return .summary(summaryPoints)
        }
    }

    private static func numberPoint(_ reader: inout ProtobufReader) throws(ProtobufError) -> OTLPMetrics.NumberPoint {
        var point = OTLPMetrics.NumberPoint()
        while let field = try reader.nextField() {
            switch field.number {
            case 7: if let attribute = try attribute(&reader, field.wireType) { point.attributes.append(attribute) }
            case 3: try reader.expect(.fixed64, field.wireType, field: "time_unix_nano"); point.timeNs = try reader.fixed64()
            case 4: try reader.expect(.fixed64, field.wireType, field: "as_double"); point.value = try reader.double()
            case 6: try reader.expect(.fixed64, field.wireType, field: "as_int"); point.value = Double(Int64(bitPattern: try reader.fixed64()))
            case 8: point.noRecordedValue = try flags(&reader, field.wireType)
            default: try reader.skip(field.wireType)
            }
        }
        return point
    }

    private static func histogramPoint(_ reader: inout ProtobufReader) throws(ProtobufError) -> OTLPMetrics.HistogramPoint {
        var point = OTLPMetrics.HistogramPoint()
        while let field = try reader.nextField() {
            switch field.number {
            case 9: if let attribute = try attribute(&reader, field.wireType) { point.attributes.append(attribute) }
            case 3: try reader.expect(.fixed64, field.wireType, field: "time_unix_nano"); point.timeNs = try reader.fixed64()
            case 4: try reader.expect(.fixed64, field.wireType, field: "count"); point.count = try reader.fixed64()
            case 5: try reader.expect(.fixed64, field.wireType, field: "sum"); point.sum = try reader.double()
            case 6: point.bucketCounts += try repeatedFixed64(&reader, field.wireType)
            case 7: point.explicitBounds += try repeatedFixed64(&reader, field.wireType).map(Double.init(bitPattern:))
            case 10: point.noRecordedValue = try flags(&reader, field.wireType)
            default: try reader.skip(field.wireType)
            }
        }
        return point
    }

    private static func summaryPoint(_ reader: inout ProtobufReader) throws(ProtobufError) -> OTLPMetrics.SummaryPoint {
        var point = OTLPMetrics.SummaryPoint()
        while let field = try reader.nextField() {
            switch field.number {
            case 7: if let attribute = try attribute(&reader, field.wireType) { point.attributes.append(attribute) }
            case 3: try reader.expect(.fixed64, field.wireType, field: "time_unix_nano"); point.timeNs = try reader.fixed64()
            case 4: try reader.expect(.fixed64, field.wireType, field: "count"); point.count = try reader.fixed64()
            case 5: try reader.expect(.fixed64, field.wireType, field: "sum"); point.sum = try reader.double()
            case 6:
                try reader.expect(.lengthDelimited, field.wireType, field: "quantile_values")
                var message = try reader.message()
                var quantile = 0.0
                var value = 0.0
                while let inner = try message.nextField() {
                    switch inner.number {
                    case 1: try message.expect(.fixed64, inner.wireType, field: "quantile"); quantile = try message.double()
                    case 2: try message.expect(.fixed64, inner.wireType, field: "value"); value = try message.double()
                    default: try message.skip(inner.wireType)
                    }
                }
                point.quantiles.append((quantile, value))
            case 8: point.noRecordedValue = try flags(&reader, field.wireType)
            default: try reader.skip(field.wireType)
            }
        }
        return point
    }

    private static func flags(_ reader: inout ProtobufReader, _ wireType: ProtobufReader.WireType) throws(ProtobufError) -> Bool {
        try reader.expect(.varint, wireType, field: "flags")
        return try reader.varint() & OTLPMetrics.noRecordedValueFlag != 0
    }

    /// A `repeated fixed64`/`double` field, packed (one length-delimited run) or not.
    private static func repeatedFixed64(_ reader: inout ProtobufReader, _ wireType: ProtobufReader.WireType) throws(ProtobufError) -> [UInt64] {
        if wireType == .fixed64 { return [try reader.fixed64()] }
        try reader.expect(.lengthDelimited, wireType, field: "packed fixed64")
        var packed = try reader.message()
        var values: [UInt64] = []
        while !packed.isAtEnd { values.append(try packed.fixed64()) }
        return values
    }

    private static func attribute(_ reader: inout ProtobufReader, _ wireType: ProtobufReader.WireType) throws(ProtobufError) -> (String, String)? {
        try reader.expect(.lengthDelimited, wireType, field: "attributes")
        var keyValue = try reader.message()
        return try self.keyValue(&keyValue)
    }

    /// A `KeyValue` as a label; nil when its value is not a scalar.
    private static func keyValue(_ reader: inout ProtobufReader) throws(ProtobufError) -> (String, String)? {
        var key = ""
        var value: String?
        while let field = try reader.nextField() {
            switch field.number {
            case 1:
                try reader.expect(.lengthDelimited, field.wireType, field: "key")
                key = try reader.string(bytesMax: 1024)
            case 2:
                try reader.expect(.lengthDelimited, field.wireType, field: "value")
                var any = try reader.message()
                while let inner = try any.nextField() {
                    switch inner.number {
                    case 1: try any.expect(.lengthDelimited, inner.wireType, field: "string_value"); value = try any.string(bytesMax: 4096)
                    case 2: try any.expect(.varint, inner.wireType, field: "bool_value"); value = try any.varint() != 0 ? "true" : "false"
                    case 3: try any.expect(.varint, inner.wireType, field: "int_value"); value = String(try any.int64())
                    case 4: try any.expect(.fixed64, inner.wireType, field: "double_value"); value = OTLPAttributeValue.format(try any.double())
                    default: try any.skip(inner.wireType)
                    }
                }
            default:
                try reader.skip(field.wireType)
            }
        }
        guard let value else { return nil }
        return (key, value)
    }
}
