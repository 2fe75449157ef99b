import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

@Suite struct OTLPTests {
    static let t0: UInt64 = 1_767_261_600_000_000_000

    /// An ExportMetricsServiceRequest written field by field as the protobuf exporters do.
    static func protobufRequest() -> [UInt8] {
        func keyValue(_ key: String, _ value: String) -> [UInt8] {
            var any = ProtobufWriter()
            any.stringField(1, value)
            var pair = ProtobufWriter()
            pair.stringField(1, key)
            pair.bytesField(2, any.bytes)
            return pair.bytes
        }
        func fixed64(_ writer: inout ProtobufWriter, _ field: UInt64, _ value: UInt64) {
            writer.key(field, 1)
            var bits = value
            for _ in 0..<8 {
                writer.bytes.append(UInt8(bits & 0xFF))
                bits >>= 8
            }
        }
        func numberPoint(_ value: Double, attributes: [(String, String)] = [], intValue: Int64? = nil) -> [UInt8] {
            var point = ProtobufWriter()
            for (key, label) in attributes { point.bytesField(7, keyValue(key, label)) }
            fixed64(&point, 3, t0)
            if let intValue { fixed64(&point, 6, UInt64(bitPattern: intValue)) } else { point.doubleField(4, value) }
            return point.bytes
        }
        var counter = ProtobufWriter()
        counter.stringField(1, "orders.placed")
        var sum = ProtobufWriter()
        sum.bytesField(1, numberPoint(0, attributes: [("region", "eu")], intValue: 5))
        sum.varintField(2, 2)
        sum.varintField(3, 1)
        counter.bytesField(7, sum.bytes)

        var gauge = ProtobufWriter()
        gauge.stringField(1, "cpu.temp")
        var gaugeData = ProtobufWriter()
        gaugeData.bytesField(1, numberPoint(61.5))
        gauge.bytesField(5, gaugeData.bytes)

        var histogram = ProtobufWriter()
        histogram.stringField(1, "request.duration")
        var histogramPoint = ProtobufWriter()
        histogramPoint.bytesField(9, keyValue("route", "/a"))
        fixed64(&histogramPoint, 3, t0)
        fixed64(&histogramPoint, 4, 3)
        histogramPoint.doubleField(5, 555)
        var counts = ProtobufWriter()
        for count: UInt64 in [1, 1, 1] { for shift in 0..<8 { counts.bytes.append(UInt8((count >> (8 * UInt64(shift))) & 0xFF)) } }
        histogramPoint.bytesField(6, counts.bytes)
        var bounds = ProtobufWriter()
        for bound in [10.0, 100.0] { for shift in 0..<8 { bounds.bytes.append(UInt8((bound.bitPattern >> (8 * UInt64(shift))) & 0xFF)) } }
        histogramPoint.bytesField(7, bounds.bytes)
        var histogramData = ProtobufWriter()
        histogramData.bytesField(1, histogramPoint.bytes)
        histogramData.varintField(2, 2)
        histogram.bytesField(9, histogramData.bytes)

        var scope = ProtobufWriter()
        scope.bytesField(2, counter.bytes)
        scope.bytesField(2, gauge.bytes)
        scope.bytesField(2, histogram.bytes)
        var resource = ProtobufWriter()
        resource.bytesField(1, keyValue("service.name", "checkout"))
        resource.bytesField(1, keyValue("host.arch", "amd64"))
        var resourceMetrics = ProtobufWriter()
        resourceMetrics.bytesField(1, resource.bytes)
        resourceMetrics.bytesField(2, scope.bytes)
        var request = ProtobufWriter()
        request.bytesField(1, resourceMetrics.bytes)
        return request.bytes
    }

    @Test func protobuf_gaugesSumsAndHistograms_mapAsDocumented() async throws {
        try await withForeignIngestServer { log, client in
            try await client.execute(
                uri: "/v1/metrics", method: .post, headers: [.contentType: "application/x-protobuf"], body: ByteBuffer(bytes: Self.protobufRequest())
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
            let samples = metricSamples(await log.events)
            let byKey = Dictionary(uniqueKeysWithValues: samples.map { ("\($0.name)\(Labels($0.labels))", ($0.value, $0.kind)) })
            #expect(byKey[#"orders_placed_total{region="eu",service_name="checkout"}"#]! == (5, .counter))
            #expect(byKey[#"cpu_temp{service_name="checkout"}"#]! == (61.5, .gauge))
            #expect(byKey[#"request_duration_bucket{le="10",route="/a",service_name="checkout"}"#]! == (1, .counter))
            #expect(byKey[#"request_duration_bucket{le="100",route="/a",service_name="checkout"}"#]! == (2, .counter))
            #expect(byKey[#"request_duration_bucket{le="+Inf",route="/a",service_name="checkout"}"#]! == (3, .counter))
            #expect(byKey[#"request_duration_count{route="/a",service_name="checkout"}"#]! == (3, .counter))
            #expect(byKey[#"request_duration_sum{route="/a",service_name="checkout"}"#]! == (555, .counter))
            #expect(samples.count == 7)
            #expect(samples.allSatisfy { $0.timeNs == Int64(Self.t0) })
        }
    }

    static let jsonDelta = #"""
        {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
          "scopeMetrics":[{"metrics":[
            {"name":"jobs","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[{"asInt":"4","timeUnixNano":"1767261600000000000"}]}},
            {"name":"queue","sum":{"aggregationTemporality":1,"isMonotonic":false,"dataPoints":[{"asDouble":-2}]}},
            {"name":"lat","summary":{"dataPoints":[{"count":"2","sum":3.5,"quantileValues":[{"quantile":0.5,"value":1.5}]}]}},
            {"name":"exp","exponentialHistogram":{"dataPoints":[{"count":"1"}]}}
          ]}]}]}
        """#

    @Test func json_deltaSumsAccumulate_acrossRequests_summariesMapped_gzipAccepted() async throws {
        let metrics = EngineMetrics()
        try await withForeignIngestServer(metrics: metrics, nowNs: 9) { log, client in
            for _ in 0..<2 {
                try await client.execute(
                    uri: "/v1/metrics", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: Self.jsonDelta)
                ) { response in
                    #expect(response.status == .ok && String(buffer: response.body) == "{}", "\(String(buffer: response.body))")
                }
            }
            let gzipped = try gzip(Array(Self.jsonDelta.utf8))
            try await client.execute(
                uri: "/v1/metrics", method: .post, headers: [.contentType: "application/json", .contentEncoding: "gzip"], body: ByteBuffer(bytes: gzipped)
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
            let samples = metricSamples(await log.events)
            #expect(samples.filter { $0.name == "jobs_total" }.map(\.value) == [4, 8, 12])
            #expect(samples.filter { $0.name == "jobs_total" }.allSatisfy { $0.kind == .counter && $0.labels == ["service_name": "api"] })
            #expect(samples.filter { $0.name == "queue" }.map(\.value) == [-2, -4, -6])
            #expect(samples.contains { $0.name == "lat" && $0.labels["quantile"] == "0.5" && $0.value == 1.5 && $0.timeNs == 9 })
            #expect(samples.contains { $0.name == "lat_count" && $0.value == 2 && $0.kind == .counter })
            // A refused request leaves the running totals as they were.
            let bad = Self.jsonDelta.replacingOccurrences(of: #""name":"exp""#, with: #""name":"exp","gauge":{"dataPoints":[{"asInt":"x"}]}"#)
            try await client.execute(uri: "/v1/metrics", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: bad)) { response in
                #expect(response.status == .badRequest)
                #expect(errorDetail(response).contains("metrics[3]"), "\(errorDetail(response))")
            }
            try await client.execute(uri: "/v1/metrics", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: Self.jsonDelta)) { _ in }
            #expect(metricSamples(await log.events).filter { $0.name == "jobs_total" }.map(\.value) == [4, 8, 12, 16])
        }
        let counts = metrics.formats.counts(.otlp)
        #expect(counts.skipped[.exponentialHistogram] == 4 && counts.errors == [.malformed: 1])
    }

    @Test func malformedBodies_areRefusedWhole() async throws {
        try await withForeignIngestServer { log, client in
            var truncated = Self.protobufRequest()
            truncated.removeLast(4)
            let protobuf: HTTPFields = [.contentType: "application/x-protobuf"]
            let json: HTTPFields = [.contentType: "application/json"]
            let gzipJSON: HTTPFields = [.contentType: "application/json", .contentEncoding: "gzip"]
            let text: HTTPFields = [.contentType: "text/plain"]
            let cases: [(HTTPFields, ByteBuffer, HTTPResponse.Status)] = [
                (protobuf, ByteBuffer(bytes: truncated), .badRequest),
                (json, ByteBuffer(string: "{\"resourceMetrics\": 3}"), .badRequest),
                (gzipJSON, ByteBuffer(string: "not gzip"), .badRequest),
                (text, ByteBuffer(string: "x"), .unsupportedMediaType),
            ]
            for (fields, body, status) in cases {
                try await client.execute(uri: "/v1/metrics", method: .post, headers: fields, body: body) { response in
                    #expect(response.status == status, "\(errorDetail(response))")
                }
            }
            #expect(await log.events.isEmpty)
        }
    }

    /// The DELTA running total of a series past the largest finite number (two `1e308`
    /// points) would be stored as +infinity, which the JSON writer of every read path
    /// refuses by trapping (found with the fuzz target's storability check, as StatsD's
    /// was). It is skipped as non-finite and does not enter the running totals.
    @Test func deltaSums_overflowingToInfinity_areSkippedAsNonFinite() throws {
        let json = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"big","sum":{"aggregationTemporality":1,"isMonotonic":false,"dataPoints":[{"asDouble":1e308},{"asDouble":1e308}]}}]}]}]}"#
        let metrics = try Array(json.utf8).withUnsafeBytes { bytes in Result { () throws(OTLPJSONError) in try OTLPJSONDecoder.decode(bytes) } }.get()
        let totals = OTLPDeltaTotals()
        let first = try OTLPEventMapper(totals: totals).map(metrics, defaultTimeNs: 5)
        #expect(metricSamples(first.decoded.events).map(\.value) == [1e308])
        #expect(first.decoded.skipped[.nonFinite] == 1)
        totals.add(first.deltas)
        #expect(totals.total(of: SeriesKey(name: "big")) == 1e308)
        let second = try OTLPEventMapper(totals: totals).map(metrics, defaultTimeNs: 6)
        #expect(second.decoded.events.isEmpty && second.decoded.skipped[.nonFinite] == 2)
    }

    /// A point flagged "no recorded value" (`flags: 1`) ends its series: a stale marker
    /// for each series it stands for, as Prometheus's OTLP translation writes.
    @Test func pointsWithNoRecordedValue_becomeStaleMarkers_ofEachSeriesTheyStandFor() throws {
        let json = #"""
            {"resourceMetrics":[{"scopeMetrics":[{"metrics":[
              {"name":"temp","gauge":{"dataPoints":[{"asDouble":21.5,"timeUnixNano":"1000"},{"flags":1,"timeUnixNano":"2000"}]}},
              {"name":"lat","histogram":{"aggregationTemporality":2,"dataPoints":[{"flags":1,"explicitBounds":[0.1,1],"timeUnixNano":"3000"}]}},
              {"name":"rpc","summary":{"dataPoints":[{"flags":1,"quantileValues":[{"quantile":0.5}],"timeUnixNano":"4000"}]}}
            ]}]}]}
            """#
        let metrics = try Array(json.utf8).withUnsafeBytes { bytes in Result { () throws(OTLPJSONError) in try OTLPJSONDecoder.decode(bytes) } }.get()
        let mapped = try OTLPEventMapper(totals: OTLPDeltaTotals()).map(metrics, defaultTimeNs: 5)
        let described = mapped.decoded.events.map { event -> String in
            guard case .metric(let sample) = event.body else { return "\(event)" }
            return "\(sample.series) \(sample.isStaleMarker ? "stale" : "\(sample.value)") @\(event.timeNs)"
        }
        #expect(described == [
            "temp 21.5 @1000", "temp stale @2000",
            #"lat_bucket{le="0.1"} stale @3000"#, #"lat_bucket{le="1"} stale @3000"#, #"lat_bucket{le="+Inf"} stale @3000"#,
            "lat_count stale @3000", "lat_sum stale @3000",
            #"rpc{quantile="0.5"} stale @4000"#, "rpc_count stale @4000", "rpc_sum stale @4000",
        ])
        #expect(mapped.decoded.skipped.isEmpty)
    }

    @Test func names_areSanitisedAsPrometheusDoes() {
        #expect(OTLPEventMapper.sanitize("http.server.duration") == "http_server_duration")
        #expect(OTLPEventMapper.sanitize("2xx-rate") == "_2xx_rate")
        #expect(OTLPEventMapper.sanitize("ok:name_1") == "ok:name_1")
    }

    /// The OpenTelemetry Python SDK's OTLP/HTTP exporter (protobuf, gzip) sends a
    /// counter, an up-down counter and a histogram, cumulative then delta, to a real
    /// server with a token. Skips with a message when the packages are missing.
    @Test func openTelemetryPythonSDK_exportsArrive_asDocumented() async throws {
        guard let python = ExternalProgram.find("python3") else {
            print("SKIP openTelemetryPythonSDK: no python3 on PATH")
            return
        }
        let work = try TemporaryDirectory("otlp")
        defer { work.remove() }
        let check = try ExternalProgram(python, ["-c", "import opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http"], outputPath: work.path + "/check.log")
        check.process.waitUntilExit()
        guard check.process.terminationStatus == 0 else {
            print("SKIP openTelemetryPythonSDK: python3 lacks opentelemetry-sdk / opentelemetry-exporter-otlp-proto-http (tools/test installs them)")
            return
        }
        let server = try await LiveServer.start { $0.token = "s3cret" }
        let script = """
            import sys
            from opentelemetry.sdk.metrics import MeterProvider, Counter, UpDownCounter, Histogram
            from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader, AggregationTemporality
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.exporter.otlp.proto.http import Compression
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
            delta = sys.argv[1] == 'delta'
            temporality = {Counter: AggregationTemporality.DELTA, UpDownCounter: AggregationTemporality.CUMULATIVE,
                           Histogram: AggregationTemporality.DELTA} if delta else {}
            exporter = OTLPMetricExporter(endpoint='http://127.0.0.1:\(server.port)/v1/metrics', headers={'Authorization': 'Bearer s3cret'},
                                          compression=Compression.Gzip, preferred_temporality=temporality)
            reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3600000)
            provider = MeterProvider(resource=Resource.create({'service.name': sys.argv[1], 'service.instance.id': 'i-1', 'host.name': 'h'}),
                                     metric_readers=[reader])
            meter = provider.get_meter('tacho-test')
            orders = meter.create_counter('orders.placed')
            queue = meter.create_up_down_counter('queue.size')
            duration = meter.create_histogram('request.duration', unit='ms')
            orders.add(3, {'region': 'eu'})
            queue.add(10)
            queue.add(-4)
            for value in (5, 50, 500):
                duration.record(value, {'route': '/a'})
            assert provider.force_flush(), 'first export failed'
            orders.add(2, {'region': 'eu'})
            duration.record(7, {'route': '/a'})
            assert provider.force_flush(), 'second export failed'
            provider.shutdown()
            print('exported', flush=True)
            """
        for mode in ["cumulative", "delta"] {
            let exporter = try ExternalProgram(python, ["-c", script, mode], outputPath: work.path + "/\(mode).log")
            exporter.process.waitUntilExit()
            #expect(exporter.process.terminationStatus == 0, "\(mode): \(exporter.output.suffix(2000))")
        }
        let samples = metricSamples(try server.app.engine.loggedEvents().map(\.event))
        try await server.stop()
        // Shutdown exports once more: a cumulative exporter repeats its last values.
        func runs(_ values: [Double]) -> [Double] { values.reduce(into: []) { if $0.last != $1 { $0.append($1) } } }
        for mode in ["cumulative", "delta"] {
            let ofMode = samples.filter { $0.labels["service_name"] == mode && $0.labels["service_instance_id"] == "i-1" }
            // Cumulative and accumulated delta read the same: 3, then 5.
            let orders = ofMode.filter { $0.name == "orders_placed_total" && $0.labels["region"] == "eu" }
            #expect(runs(orders.map(\.value)) == [3, 5] && orders.allSatisfy { $0.kind == .counter }, "\(mode): \(orders)")
            #expect(ofMode.filter { $0.name == "queue_size" }.map(\.value).last == 6, "\(mode)")
            #expect(ofMode.filter { $0.name == "queue_size" }.allSatisfy { $0.kind == .gauge && $0.labels["host_name"] == nil })
            let count = ofMode.filter { $0.name == "request_duration_count" }
            #expect(runs(count.map(\.value)) == [3, 4], "\(mode): \(count)")
            let le10 = ofMode.filter { $0.name == "request_duration_bucket" && $0.labels["le"] == "10" }
            #expect(runs(le10.map(\.value)) == [1, 2], "\(mode): \(le10)")
            #expect(runs(ofMode.filter { $0.name == "request_duration_sum" }.map(\.value)) == [555, 562], "\(mode)")
        }
    }
}

/// gzip of `bytes` by the system's gzip, as a sender compresses a body.
func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let directory = try TemporaryDirectory("gzip")
    defer { directory.remove() }
    let path = directory.path + "/body"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let program = try ExternalProgram("/bin/gzip", ["-f", path], outputPath: directory.path + "/gzip.log")
    program.process.waitUntilExit()
    return Array(try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
}
