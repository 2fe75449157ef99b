import EventStore
import Hummingbird

/// `POST /write` (InfluxDB 1.x) and `POST /api/v2/write` (2.x): line protocol, as
/// Telegraf and the InfluxDB clients send it. Each numeric field of a point is one
/// `metric` gauge event named `<measurement>_<field>`, its tags the labels; booleans
/// are 1 and 0; integers and unsigned integers become doubles; string fields are left
/// out and counted. `precision` (`ns`/`n` default, `us`/`u`, `ms`, `s`, `m`, `h`) scales
/// the timestamp; a point without one takes the time the request arrived. `db`,
/// `bucket`, `org` and `rp` are ignored. Answers 204 as InfluxDB does; a malformed line
/// refuses the whole body with 400 naming the line. gzip bodies (Telegraf's default) are inflated.
public struct InfluxWriteController<Context: RequestContext>: Sendable {
    private let pipeline: IngestPipeline

    public init(pipeline: IngestPipeline) {
        self.pipeline = pipeline
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.post("/write", use: write)
        router.post("/api/v2/write", use: write)
    }

    /// Nanoseconds per unit of an InfluxDB `precision` value; nil for an unknown one.
    static func unitNs(precision: String?) -> Int64? {
        switch precision ?? "ns" {
        case "ns", "n": 1
        case "us", "u", "µ": 1_000
        case "ms": 1_000_000
        case "s": 1_000_000_000
        case "m": 60_000_000_000
        case "h": 3_600_000_000_000
        default: nil
        }
    }

    @Sendable public func write(_ request: Request, context: Context) async throws -> Response {
        let precision = request.uri.queryParameters.get("precision")
        let encoding = request.headers[.contentEncoding]
        let inflatedBytesMax = pipeline.bodyBytesMax.multipliedReportingOverflow(by: 16).partialValue
        _ = try await pipeline.accept(request, logger: context.logger, format: .influx) { body, receivedNs, _ throws(IngestInputError) in
            guard let unitNs = Self.unitNs(precision: precision) else {
                throw IngestInputError("precision '\(precision ?? "")' is not one of ns, us, ms, s, m, h")
            }
            let raw = try ContentEncoding.decode(body, encoding: encoding, bytesMax: inflatedBytesMax)
            let points: [LineProtocolParser.Point]
            do {
                points = try raw.withUnsafeReadableBytes { bytes throws(LineProtocolError) in try LineProtocolParser().parse(bytes) }
            } catch {
                throw IngestInputError("line protocol: \(error)")
            }
            return try Self.events(points, unitNs: unitNs, defaultTimeNs: receivedNs)
        }
        return Response(status: .noContent)
    }

    static func events(_ points: [LineProtocolParser.Point], unitNs: Int64, defaultTimeNs: Int64) throws(IngestInputError) -> IngestPipeline.Decoded {
        var events: [Event] = []
        var strings = 0
        for point in points {
            var timeNs = defaultTimeNs
            if let timestamp = point.timestamp {
                guard let scaled = ForeignSeries.timeNs(timestamp, unitNs: unitNs) else {
                    throw IngestInputError("line protocol: line \(point.line): timestamp \(timestamp) is out of range for its precision")
                }
                timeNs = scaled
            }
            for (field, value) in point.fields {
                let number: Double
                switch value {
                case .float(let v): number = v
                case .integer(let v): number = Double(v)
                case .unsigned(let v): number = Double(v)
                case .bool(let v): number = v ? 1 : 0
                case .string:
                    strings += 1
                    continue
                }
                let name = point.measurement + "_" + field
                let key: SeriesKey
                do { key = try ForeignSeries.key(name: name, labels: point.tags) } catch {
                    throw IngestInputError("line protocol: line \(point.line), field '\(field)': \(error)")
                }
                events.append(Event(timeNs: timeNs, body: .metric(MetricSample(series: key, value: number))))
            }
        }
        return IngestPipeline.Decoded(events: events, skipped: strings > 0 ? [.stringField: strings] : [:])
    }
}
