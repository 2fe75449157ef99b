import EventStore
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

@Suite struct PrometheusTextTests {
    static func parse(_ text: String, _ dialect: PrometheusTextParser.Dialect = .text) throws -> PrometheusTextParser.Parsed {
        try Array(text.utf8).withUnsafeBytes { try PrometheusTextParser(dialect: dialect).parse($0) }
    }

    @Test func text004_typesLabelsEscapesAndTimestamps_areRead() throws {
        let text = """
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000

            # Escaping in label values:
            msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
            metric_without_timestamp_and_labels 12.47
            # TYPE rpc_duration_seconds summary
            rpc_duration_seconds{quantile="0.5"} 4773
            rpc_duration_seconds_sum 1.7560473e+07
            rpc_duration_seconds_count 2693
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_bucket{le="0.05"} 24054
            http_request_duration_seconds_bucket{le="+Inf"} 144320
            http_request_duration_seconds_sum 53423
            process_start_time_seconds{a="b",} -Inf
            something_total 5
            """
        let parsed = try Self.parse(text)
        let byName = parsed.samples.map { ($0.name, $0.kind) }
        #expect(parsed.samples.count == 12)
        #expect(parsed.samples.contains { $0.name == "process_start_time_seconds" && $0.value == -.infinity })
        #expect(parsed.samples[0].labels.map { "\($0.0)=\($0.1)" } == ["method=post", "code=200"])
        #expect(parsed.samples[0].value == 1027 && parsed.samples[0].timeNs == 1_395_066_363_000_000_000 && parsed.samples[0].kind == .counter)
        #expect(parsed.samples[1].value == 3 && parsed.samples[1].line == 4)
        #expect(parsed.samples[2].labels[0].1 == #"C:\DIR\FILE.TXT"# && parsed.samples[2].labels[1].1 == "Cannot find file:\n\"FILE.TXT\"")
        #expect(parsed.samples[3].timeNs == nil && parsed.samples[3].kind == .gauge)
        #expect(byName[4] == ("rpc_duration_seconds", .gauge) && byName[5] == ("rpc_duration_seconds_sum", .counter))
        #expect(byName[6] == ("rpc_duration_seconds_count", .counter))
        #expect(byName[7] == ("http_request_duration_seconds_bucket", .counter) && parsed.samples[8].labels[0].1 == "+Inf")
        #expect(byName[11].0 == "something_total" && byName[11].1 == .counter)
    }

    @Test func openMetrics_secondsTimestamps_exemplars_andEOF() throws {
        let text = """
            # TYPE foo counter
            # UNIT foo seconds
            foo_total 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67
            foo_created 1520430000.123
            # TYPE state stateset
            state{state="a"} 1
            # EOF

            """
        let parsed = try Self.parse(text, .openMetrics)
        #expect(parsed.samples.map(\.name) == ["foo_total", "foo_created", "state"])
        #expect(parsed.samples[0].kind == .counter && parsed.samples[0].timeNs == 1_520_879_607_789_000_000)
        #expect(parsed.samples[1].kind == .gauge && parsed.samples[2].kind == .gauge)
        #expect(throws: PrometheusTextError.self) { try Self.parse("# EOF\nx 1\n", .openMetrics) }
    }

    static let malformed: [(String, String)] = [
        ("a 1\nb{x=\"1\" 2\n", "line 2"),
        ("a 1\nb 1\nc{x=1} 2\n", "line 3"),
        ("a{x=\"\\q\"} 1\n", "line 1"),
        ("a one\n", "line 1"),
        ("a 1 12.5\n", "line 1"),
        ("# TYPE a widget\n", "line 1"),
        ("a 1 2 3\n", "line 1"),
        ("{x=\"1\"} 2\n", "line 1"),
        ("a{x=\"1\"}\n", "line 1"),
    ]

    @Test(arguments: malformed)
    func malformedLine_isRefused_namingTheLine(_ input: (String, String)) {
        let error = #expect(throws: PrometheusTextError.self) { try Self.parse(input.0) }
        #expect(error?.description.hasPrefix(input.1) == true, "\(String(describing: error))")
    }

    @Test func importEndpoint_appendsAll_orRefusesWhole_withLine() async throws {
        let metrics = EngineMetrics()
        try await withForeignIngestServer(metrics: metrics, nowNs: 5_000) { log, client in
            let good = "# TYPE jobs counter\njobs 3\nlast_run_seconds{job=\"nightly\"} 12.5 1700000000000\n"
            try await client.execute(uri: "/api/v1/import/prometheus", method: .post, body: ByteBuffer(string: good)) { response in
                #expect(response.status == .noContent, "\(String(buffer: response.body))")
            }
            let samples = metricSamples(await log.events)
            #expect(samples.count == 2)
            #expect(samples[0].name == "jobs" && samples[0].kind == .counter && samples[0].timeNs == 5_000)
            #expect(samples[1].labels == ["job": "nightly"] && samples[1].timeNs == 1_700_000_000_000_000_000)
            let bad = "a 1\nb 2\nc{ 3\n"
            try await client.execute(uri: "/api/v1/import/prometheus", method: .post, body: ByteBuffer(string: bad)) { response in
                #expect(response.status == .badRequest)
                #expect(errorDetail(response).contains("line 3"), "\(errorDetail(response))")
            }
            #expect(await log.events.count == 2)
        }
        #expect(metrics.formats.counts(.prometheusText).events == 2)
        #expect(metrics.formats.counts(.prometheusText).errors == [.malformed: 1])
    }

    @Test func scrapeTarget_instanceIsHostAndPort() {
        #expect(ScrapeTarget(url: "http://127.0.0.1:9100/metrics")?.instance == "127.0.0.1:9100")
        #expect(ScrapeTarget(url: "http://example.com")?.url == "http://example.com/metrics")
        #expect(ScrapeTarget(url: "https://example.com/m")?.instance == "example.com:443")
        #expect(ScrapeTarget(url: "ftp://example.com") == nil)
        #expect(ScrapeTarget(url: "http://") == nil)
    }

    @Test func targetLabels_areAdded_andOwnJobLabelKeptAsExported() throws {
        let parsed = try Self.parse("x{job=\"inner\",a=\"1\"} 1\n")
        let decoded = try parsed.events(defaultTimeNs: 7, targetLabels: [("instance", "h:1"), ("job", "outer")])
        let samples = metricSamples(decoded.events)
        #expect(samples[0].labels == ["exported_job": "inner", "a": "1", "instance": "h:1", "job": "outer"])
        #expect(samples[0].timeNs == 7)
    }
}
