import EventStore
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

@Suite struct InfluxLineProtocolTests {
    static func parse(_ text: String) throws -> [LineProtocolParser.Point] {
        try Array(text.utf8).withUnsafeBytes { try LineProtocolParser().parse($0) }
    }

    @Test func everyEscapingRule_isRead() throws {
        let points = try Self.parse(#"""
            my\ measure\,ment,tag\ key\,with\=specials=tag\ value\,with\=specials field\ key\,with\=specials="string \"quoted\" \\ back",n=1i 1700000000000000000
            cpu\=x,host=a\b usage=0.5
            """#)
        #expect(points.count == 2)
        #expect(points[0].measurement == "my measure,ment")
        #expect(points[0].tags.map(\.0) == ["tag key,with=specials"] && points[0].tags.map(\.1) == ["tag value,with=specials"])
        #expect(points[0].fields[0].0 == "field key,with=specials")
        #expect(points[0].fields[0].1 == .string(#"string "quoted" \ back"#))
        #expect(points[0].fields[1].1 == .integer(1) && points[0].timestamp == 1_700_000_000_000_000_000)
        // An `=` needs no escape in a measurement; a backslash before an ordinary character is itself.
        #expect(points[1].measurement == #"cpu\=x"# || points[1].measurement == "cpu=x")
        #expect(points[1].tags[0].1 == #"a\b"# && points[1].timestamp == nil)
    }

    @Test func fieldTypes_areRead() throws {
        let points = try Self.parse("m f=1,g=-1.5e3,i=-42i,u=42u,b1=t,b2=FALSE,b3=True,s=\"x\"\n")
        #expect(points[0].fields.map(\.1) == [
            .float(1), .float(-1500), .integer(-42), .unsigned(42), .bool(true), .bool(false), .bool(true), .string("x"),
        ])
    }

    static let malformed: [(String, String)] = [
        ("m f=1\nm f=\n", "line 2"),
        ("m f=1\n\n# comment\nm,t f=1\n", "line 4"),
        ("m\n", "line 1"),
        ("m f=1 notanumber\n", "line 1"),
        ("m f=\"open\n", "line 1"),
        ("m f=1x\n", "line 1"),
        ("m f=99999999999999999999i\n", "line 1"),
        ("m,t= f=1\n", "line 1"),
        (",t=1 f=1\n", "line 1"),
        ("m f=1 1 2\n", "line 1"),
    ]

    @Test(arguments: malformed)
    func malformedLine_isRefused_namingTheLine(_ input: (String, String)) {
        let error = #expect(throws: LineProtocolError.self) { try Self.parse(input.0) }
        #expect(error?.description.hasPrefix(input.1) == true, "\(input.0): \(String(describing: error))")
    }

    @Test func writeEndpoints_mapFieldsToMetrics_withPrecision() async throws {
        let metrics = EngineMetrics()
        try await withForeignIngestServer(metrics: metrics, nowNs: 77) { log, client in
            let body = "cpu,host=a,region=eu usage_user=12.5,usage_idle=80i,ok=true,note=\"x\" 1700000000\nmem used=5u\n"
            try await client.execute(uri: "/api/v2/write?org=o&bucket=b&precision=s", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .noContent, "\(String(buffer: response.body))")
            }
            let samples = metricSamples(await log.events)
            #expect(samples.map(\.name) == ["cpu_usage_user", "cpu_usage_idle", "cpu_ok", "mem_used"])
            #expect(samples[0].labels == ["host": "a", "region": "eu"] && samples[0].value == 12.5 && samples[0].kind == .gauge)
            #expect(samples[0].timeNs == 1_700_000_000_000_000_000 && samples[1].value == 80 && samples[2].value == 1)
            #expect(samples[3].timeNs == 77 && samples[3].labels.isEmpty)
            try await client.execute(uri: "/write?db=x&precision=ms", method: .post, body: ByteBuffer(string: "m v=1 1700000000000\n")) { response in
                #expect(response.status == .noContent)
            }
            #expect(metricSamples(await log.events).last?.timeNs == 1_700_000_000_000_000_000)
            try await client.execute(uri: "/write?precision=fortnight", method: .post, body: ByteBuffer(string: "m v=1\n")) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/write", method: .post, body: ByteBuffer(string: "m v=1\nm v=2\nm v=\n")) { response in
                #expect(response.status == .badRequest)
                #expect(errorDetail(response).contains("line 3"), "\(errorDetail(response))")
            }
            #expect(await log.events.count == 5)
        }
        let counts = metrics.formats.counts(.influx)
        #expect(counts.events == 5 && counts.skipped == [.stringField: 1] && counts.errors == [.malformed: 2])
    }
}
