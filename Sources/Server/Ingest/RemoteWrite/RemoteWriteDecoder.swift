import EventStore

/// Decodes a Prometheus remote-write 1.0 `WriteRequest` (prompb/remote.proto,
/// prompb/types.proto) from its protobuf wire format into `metric` events:
///
/// - each `TimeSeries`' `__name__` label is the event name, its other labels the labels;
/// - each `Sample` is one event, its millisecond timestamp the event time;
/// - `MetricMetadata` types (from this request or remembered from an earlier one, as
///   Prometheus sends metadata in requests of its own) decide the kind:
///   `PrometheusMetricType.kind(of:types:)`;
/// - every value is kept, ±Inf, NaN (stored as Prometheus's NaN) and stale markers
///   included; exemplars and native histograms are left out and counted: no part of
///   them is appended.
///
/// Anything malformed refuses the request whole, naming the series.
struct RemoteWriteDecoder {
    /// The family types known before this request.
    let knownTypes: @Sendable (String) -> PrometheusMetricType?
    /// Series keys of label sets seen before, by their encoded bytes; nil for none.
    var seriesKeys: SeriesKeyCache? = nil

    struct Decoded {
        var events: [Event] = []
        var skipped: [IngestSkipReason: Int] = [:]
        /// Family types this request's metadata declared.
        var types: [String: PrometheusMetricType] = [:]
    }

    private struct Series {
        /// The series' `Label` messages as sent, each after its length.
        var labelBytes: [UInt8] = []
        var samples: [(value: Double, timestampMs: Int64)] = []
        var exemplars = 0
        var histograms = 0
    }

    func decode(_ bytes: UnsafeRawBufferPointer) throws(IngestInputError) -> Decoded {
        var decoded = Decoded()
        // Metadata first, wherever it sits, so this request's types apply to its samples;
        // this pass also checks the request's outer structure.
        var seriesCount = 0
        var metadataCount = 0
        var current = "the request"
        do {
            var reader = ProtobufReader(bytes)
            while let field = try reader.nextField() {
                switch field.number {
                case 1:
                    current = "timeseries[\(seriesCount)]"
                    seriesCount += 1
                    try reader.expect(.lengthDelimited, field.wireType, field: "timeseries")
                    try reader.skip(field.wireType)
                case 3:
                    current = "metadata[\(metadataCount)]"
                    metadataCount += 1
                    try reader.expect(.lengthDelimited, field.wireType, field: "metadata")
                    var metadata = try reader.message()
                    if let (family, type) = try Self.metadata(&metadata) { decoded.types[family] = type }
                default:
                    current = "field \(field.number)"
                    try reader.skip(field.wireType)
                }
            }
        } catch {
            throw IngestInputError("remote-write body: \(current): not a WriteRequest: \(error)")
        }
        var reader = ProtobufReader(bytes)
        var index = 0
        do {
            while let field = try reader.nextField() {
                guard field.number == 1 else {
                    try reader.skip(field.wireType)
                    continue
                }
                try reader.expect(.lengthDelimited, field.wireType, field: "timeseries")
                var message = try reader.message()
                let series = try Self.series(&message)
                try append(series, index: index, to: &decoded)
                index += 1
            }
        } catch let error as ProtobufError {
            throw IngestInputError("remote-write body: timeseries[\(index)]: not a WriteRequest: \(error)")
        } catch let error as IngestInputError {
            throw error
        } catch {
            throw IngestInputError("remote-write body: timeseries[\(index)]: \(error)")
        }
        return decoded
    }

    private func append(_ series: Series, index: Int, to decoded: inout Decoded) throws(IngestInputError) {
        decoded.skipped[.exemplar, default: 0] += series.exemplars
        decoded.skipped[.nativeHistogram, default: 0] += series.histograms
        guard !series.samples.isEmpty else { return }
        let name: String
        let key: SeriesKey
        if let known = seriesKeys?.lookup(series.labelBytes) {
            (name, key) = known
        } else {
            (name, key) = try Self.resolve(series.labelBytes, index: index)
            seriesKeys?.insert(series.labelBytes, name: name, key: key)
        }
        let types = decoded.types
        let kind = PrometheusMetricType.kind(of: name) { types[$0] ?? knownTypes($0) }
        decoded.events.reserveCapacity(decoded.events.count + series.samples.count)
        for (sampleIndex, sample) in series.samples.enumerated() {
            guard let timeNs = ForeignSeries.timeNs(sample.timestampMs, unitNs: 1_000_000) else {
                throw IngestInputError(
                    "remote-write body: timeseries[\(index)] '\(name)' samples[\(sampleIndex)]: timestamp \(sample.timestampMs) ms is out of range")
            }
            // Every value is kept as Prometheus keeps it: ±Inf, NaN (as Prometheus's own
            // NaN) and the stale marker, which ends the series for PromQL.
            decoded.events.append(Event(timeNs: timeNs, body: .metric(MetricSample(series: key, value: MetricSample.canonical(sample.value), kind: kind))))
        }
    }

    private static func series(_ reader: inout ProtobufReader) throws -> Series {
        var series = Series()
        while let field = try reader.nextField() {
            switch field.number {
            case 1:
                try reader.expect(.lengthDelimited, field.wireType, field: "labels")
                let label = try reader.lengthDelimitedBytes()
                var length = UInt64(label.count)
                while length >= 0x80 {
                    series.labelBytes.append(UInt8(truncatingIfNeeded: length) | 0x80)
                    length >>= 7
                }
                series.labelBytes.append(UInt8(length))
                series.labelBytes.append(contentsOf: label)
            case 2:
                try reader.expect(.lengthDelimited, field.wireType, field: "samples")
                var sample = try reader.message()
                var value = 0.0
                var timestampMs: Int64 = 0
                while let sampleField = try sample.nextField() {
                    switch sampleField.number {
                    case 1:
                        try sample.expect(.fixed64, sampleField.wireType, field: "samples.value")
                        value = try sample.double()
                    case 2:
                        try sample.expect(.varint, sampleField.wireType, field: "samples.timestamp")
                        timestampMs = try sample.int64()
                    default: try sample.skip(sampleField.wireType)
                    }
                }
                series.samples.append((value, timestampMs))
            case 3:
                series.exemplars += 1
                try reader.skip(field.wireType)
            case 4:
                series.histograms += 1
                try reader.skip(field.wireType)
            default:
                try reader.skip(field.wireType)
            }
        }
        return series
    }

    /// The name and key of a series from its encoded labels, checked as the native
    /// ingest checks labels.
    private static func resolve(_ labelBytes: [UInt8], index: Int) throws(IngestInputError) -> (String, SeriesKey) {
        var name: String?
        var labels: [(String, String)] = []
        do {
            try labelBytes.withUnsafeBytes { bytes in
                var reader = ProtobufReader(bytes)
                while !reader.isAtEnd {
                    var label = try reader.message()
                    var labelName = ""
                    var value = ""
                    while let field = try label.nextField() {
                        switch field.number {
                        case 1:
                            try label.expect(.lengthDelimited, field.wireType, field: "labels.name")
                            labelName = try label.string(bytesMax: EventLimits.nameBytesMax)
                        case 2:
                            try label.expect(.lengthDelimited, field.wireType, field: "labels.value")
                            value = try label.string(bytesMax: EventLimits.nameBytesMax)
                        default: try label.skip(field.wireType)
                        }
                    }
                    if labelName == "__name__" {
                        guard name == nil else { throw ProtobufError(byteOffset: 0, reason: "'__name__' is given twice") }
                        name = value
                    } else {
                        labels.append((labelName, value))
                    }
                }
            }
        } catch let error as ProtobufError {
            throw IngestInputError("remote-write body: timeseries[\(index)]: not a WriteRequest: labels: \(error.reason)")
        } catch {
            throw IngestInputError("remote-write body: timeseries[\(index)]: \(error)")
        }
        guard let name else {
            throw IngestInputError("remote-write body: timeseries[\(index)] \(describe(labels)): no '__name__' label")
        }
        do {
            return (name, try ForeignSeries.key(name: name, labels: labels))
        } catch {
            throw IngestInputError("remote-write body: timeseries[\(index)] '\(name)': \(error)")
        }
    }

    private static func metadata(_ reader: inout ProtobufReader) throws(ProtobufError) -> (String, PrometheusMetricType)? {
        var type = PrometheusMetricType.unknown
        var family = ""
        while let field = try reader.nextField() {
            switch field.number {
            case 1:
                try reader.expect(.varint, field.wireType, field: "metadata.type")
                type = PrometheusMetricType(remoteWrite: try reader.varint())
            case 2:
                try reader.expect(.lengthDelimited, field.wireType, field: "metadata.metric_family_name")
                family = try reader.string(bytesMax: EventLimits.nameBytesMax)
            default:
                try reader.skip(field.wireType)
            }
        }
        return family.isEmpty ? nil : (family, type)
    }

    private static func describe(_ labels: [(String, String)]) -> String {
        "{" + labels.prefix(4).map { "\($0.0)=\"\($0.1.prefix(40))\"" }.joined(separator: ",") + (labels.count > 4 ? ",…}" : "}")
    }
}
