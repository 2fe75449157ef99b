/// The parts of an OTLP `ExportMetricsServiceRequest` (opentelemetry-proto,
/// metrics/v1) Tacho maps to events, decoded from protobuf (`OTLPProtobufDecoder`) or
/// from OTLP/JSON (`OTLPJSONDecoder`) into the same values.
struct OTLPMetrics: Sendable {
    struct Resource: Sendable {
        var attributes: [(String, String)] = []
        var metrics: [Metric] = []
    }

    enum Temporality: Sendable, Equatable {
        case unspecified, delta, cumulative

        init(code: Int64) {
            self = code == 1 ? .delta : code == 2 ? .cumulative : .unspecified
        }
    }

    struct Metric: Sendable {
        var name = ""
        var data: Data = .none
    }

    enum Data: Sendable {
        case none
        case gauge([NumberPoint])
        case sum([NumberPoint], temporality: Temporality, monotonic: Bool)
        case histogram([HistogramPoint], temporality: Temporality)
        case exponentialHistogram(points: Int)
        case summary([SummaryPoint])
    }

    struct NumberPoint: Sendable {
        var attributes: [(String, String)] = []
        var timeNs: UInt64 = 0
        var value = 0.0
        var noRecordedValue = false
    }

    struct HistogramPoint: Sendable {
        var attributes: [(String, String)] = []
        var timeNs: UInt64 = 0
        var count: UInt64 = 0
        var sum: Double?
        var bucketCounts: [UInt64] = []
        var explicitBounds: [Double] = []
        var noRecordedValue = false
    }

    struct SummaryPoint: Sendable {
        var attributes: [(String, String)] = []
        var timeNs: UInt64 = 0
        var count: UInt64 = 0
        var sum = 0.0
        var quantiles: [(quantile: Double, value: Double)] = []
        var noRecordedValue = false
    }

    var resources: [Resource] = []

    /// `DataPointFlags.FLAG_NO_RECORDED_VALUE`.
    static let noRecordedValueFlag: UInt64 = 1
}

/// An attribute value as a label value: strings as they are, booleans `true`/`false`,
/// numbers in decimal; nil for arrays, maps and bytes (such attributes are not labels).
enum OTLPAttributeValue {
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
