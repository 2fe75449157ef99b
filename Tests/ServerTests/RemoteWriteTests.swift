import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

@Suite struct RemoteWriteTests {
    typealias Series = RemoteWriteRequest.Series
    static let t0: Int64 = 1_767_261_600_000

    @Test func snappy_roundTrips_andRefusesDamageAndOversize() throws {
        let text = Array(String(repeating: "remote write ", count: 100).utf8)
        let compressed = SnappyBlock.compress(text)
        #expect(compressed.count < text.count)
        #expect(try compressed.withUnsafeBytes { try SnappyBlock.decompress($0, bytesMax: 1 << 20) } == text)
        #expect(throws: SnappyError.self) { try compressed.withUnsafeBytes { try SnappyBlock.decompress($0, bytesMax: 100) } }
        var damaged = compressed
        damaged.removeLast(5)
        #expect(throws: SnappyError.self) { try damaged.withUnsafeBytes { try SnappyBlock.decompress($0, bytesMax: 1 << 20) } }
    }

    @Test func samples_becomeMetricEvents_withLabelsAndMillisecondTimes_answering204() async throws {
        try await withForeignIngestServer { log, client in
            let body = RemoteWriteRequest.snappy([
                Series(labels: [("__name__", "http_requests_total"), ("job", "api"), ("code", "200")], samples: [(10, Self.t0), (12, Self.t0 + 15_000)]),
                Series(labels: [("instance", "a:9100"), ("__name__", "node_load1"), ("empty", "")], samples: [(0.5, Self.t0)]),
            ])
            try await client.execute(uri: "/api/v1/write", method: .post, headers: RemoteWriteRequest.headers, body: body) { response in
                #expect(response.status == .noContent, "\(String(buffer: response.body))")
            }
            let samples = metricSamples(await log.events)
            #expect(samples.count == 3)
            #expect(samples[0].name == "http_requests_total" && samples[0].labels == ["job": "api", "code": "200"])
            #expect(samples[0].value == 10 && samples[0].timeNs == Self.t0 * 1_000_000 && samples[0].kind == .counter)
            #expect(samples[1].value == 12 && samples[1].timeNs == (Self.t0 + 15_000) * 1_000_000)
            // An empty label value is an absent label, as in Prometheus.
            #expect(samples[2].name == "node_load1" && samples[2].labels == ["instance": "a:9100"] && samples[2].kind == .gauge)
        }
    }

    @Test func metadata_decidesCounters_andIsRememberedForLaterRequests() async throws {
        try await withForeignIngestServer { log, client in
            // Prometheus sends metadata in a request of its own.
            let metadata = RemoteWriteRequest.snappy([], metadata: [(1, "jobs_done"), (2, "queue_total"), (3, "latency_seconds"), (5, "rpc")])
            try await client.execute(uri: "/api/v1/write", method: .post, headers: RemoteWriteRequest.headers, body: metadata) { response in
                #expect(response.status == .noContent)
            }
            #expect(await log.events.isEmpty)
            let names = ["jobs_done", "queue_total", "latency_seconds_bucket", "latency_seconds_sum", "latency_seconds_count", "rpc", "rpc_count", "other"]
            let body = RemoteWriteRequest.snappy(names.map { Series(labels: [("__name__", $0)], samples: [(1, Self.t0)]) })
            try await client.execute(uri: "/api/v1/write", method: .post, headers: RemoteWriteRequest.headers, body: body) { response in
                #expect(response.status == .noContent)
            }
            let kinds = Dictionary(uniqueKeysWithValues: metricSamples(await log.events).map { ($0.name, $0.kind) })
            #expect(kinds == [
                "jobs_done": .counter, "queue_total": .gauge, "latency_seconds_bucket": .counter, "latency_seconds_sum": .counter,
                "latency_seconds_count": .counter, "rpc": .gauge, "rpc_count": .counter, "other": .gauge,
            ])
        }
    }

    /// Stale markers, ±Inf and NaN are kept as Prometheus keeps them (a NaN of another
    /// payload as Prometheus's own); exemplars and native histograms are left out.
    @Test func staleMarkersAndNonFiniteValues_areKept_exemplarsAndNativeHistograms_leftOutAndCounted() async throws {
        let metrics = EngineMetrics()
        try await withForeignIngestServer(metrics: metrics) { log, client in
            let staleNaN = Double(bitPattern: 0x7FF0_0000_0000_0002)
            let body = RemoteWriteRequest.snappy([
                Series(labels: [("__name__", "a")], samples: [(1, Self.t0), (staleNaN, Self.t0 + 1000)], exemplars: 2),
                Series(labels: [("__name__", "h")], samples: [], histograms: 3),
                Series(labels: [("__name__", "b")], samples: [(.infinity, Self.t0), (Double(bitPattern: 0x7FF8_0000_0000_00AB), Self.t0 + 1000)]),
            ])
            try await client.execute(uri: "/api/v1/write", method: .post, headers: RemoteWriteRequest.headers, body: body) { response in
                #expect(response.status == .noContent)
            }
            let samples = metricSamples(await log.events)
            #expect(samples.map(\.name) == ["a", "a", "b", "b"])
            #expect(samples.map(\.value.bitPattern) == [Double(1).bitPattern, 0x7FF0_0000_0000_0002, Double.infinity.bitPattern, 0x7FF8_0000_0000_0001])
        }
        let counts = metrics.formats.counts(.remoteWrite)
        #expect(counts.requests == 1 && counts.events == 4)
        #expect(counts.skipped == [.exemplar: 2, .nativeHistogram: 3])
    }

    static let malformed: [(String, ByteBuffer, String)] = {
        var truncated = RemoteWriteRequest.encode([Series(labels: [("__name__", "x")], samples: [(1, t0)])])
        truncated.removeLast(3)
        var overLimit: [(String, String)] = [("__name__", "wide")]
        for index in 0..<40 { overLimit.append(("l\(index)", "v")) }
        return [
            ("not snappy", ByteBuffer(string: "hello, not snappy at all"), "snappy"),
            ("empty body", ByteBuffer(), "empty"),
            ("truncated protobuf", ByteBuffer(bytes: SnappyBlock.compress(truncated)), "timeseries[0]"),
            ("no __name__", RemoteWriteRequest.snappy([
                Series(labels: [("__name__", "ok")], samples: [(1, t0)]),
                Series(labels: [("job", "x")], samples: [(1, t0)]),
            ]), "timeseries[1]"),
            ("duplicate label", RemoteWriteRequest.snappy([Series(labels: [("__name__", "d"), ("a", "1"), ("a", "2")], samples: [(1, t0)])]), "twice"),
            ("too many labels", RemoteWriteRequest.snappy([Series(labels: overLimit, samples: [(1, t0)])]), "limit of 32"),
            ("timestamp overflow", RemoteWriteRequest.snappy([Series(labels: [("__name__", "t")], samples: [(1, Int64.max / 10)])]), "out of range"),
        ]
    }()

    @Test(arguments: malformed)
    func malformedBody_isRefusedWith400NamingWhere_andNothingAppended(_ input: (String, ByteBuffer, String)) async throws {
        let metrics = EngineMetrics()
        try await withForeignIngestServer(metrics: metrics) { log, client in
            try await client.execute(uri: "/api/v1/write", method: .post, headers: RemoteWriteRequest.headers, body: input.1) { response in
                #expect(response.status == .badRequest, "\(input.0)")
                #expect(errorDetail(response).contains(input.2), "\(input.0): \(errorDetail(response))")
            }
            #expect(await log.events.isEmpty, "\(input.0)")
        }
        #expect(metrics.formats.counts(.remoteWrite).errors == [.malformed: 1])
        #expect(metrics.snapshot().ingestErrors[.malformed] == 1)
    }

    @Test func repeatedSeries_reuseTheirKeys_andLaterBadSeriesAreStillRefused() async throws {
        try await withForeignIngestServer { log, client in
            let good = Series(labels: [("__name__", "reqs_total"), ("job", "api")], samples: [(1, Self.t0)])
            for step in 0..<2 {
                var next = good
                next.samples = [(Double(step + 1), Self.t0 + Int64(step) * 1000)]
                try await client.execute(uri: "/api/v1/write", method: .post, headers: RemoteWriteRequest.headers, body: RemoteWriteRequest.snappy([next])) { response in
                    #expect(response.status == .noContent)
                }
            }
            let bad = Series(labels: [("__name__", "reqs_total"), ("job", String(repeating: "j", count: 300))], samples: [(1, Self.t0)])
            try await client.execute(uri: "/api/v1/write", method: .post, headers: RemoteWriteRequest.headers, body: RemoteWriteRequest.snappy([good, bad])) { response in
                #expect(response.status == .badRequest)
                #expect(errorDetail(response).contains("timeseries[1]"), "\(errorDetail(response))")
            }
            let events = await log.events
            #expect(metricSamples(events).map(\.value) == [1, 2])
            guard events.count == 2, case .metric(let first) = events[0].body, case .metric(let second) = events[1].body else { return }
            #expect(first.series === second.series && first.series.labels == Labels(["job": "api"]))
        }
    }

    @Test func remoteWrite2_andOtherEncodings_areRefusedWith415() async throws {
        try await withForeignIngestServer { log, client in
            let body = RemoteWriteRequest.snappy([Series(labels: [("__name__", "x")], samples: [(1, Self.t0)])])
            var v2 = RemoteWriteRequest.headers
            v2[.contentType] = "application/x-protobuf;proto=io.prometheus.write.v2.Request"
            try await client.execute(uri: "/api/v1/write", method: .post, headers: v2, body: body) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            var gzip = RemoteWriteRequest.headers
            gzip[.contentEncoding] = "gzip"
            try await client.execute(uri: "/api/v1/write", method: .post, headers: gzip, body: body) { response in
                #expect(response.status == .unsupportedMediaType)
                #expect(errorDetail(response).contains("gzip"))
            }
            #expect(await log.events.isEmpty)
        }
    }

    @Test func token_andBodyLimit_applyAsToTheNativeIngest() async throws {
        try await withForeignIngestServer(token: "s3cret", bodyBytesMax: 1024) { log, client in
            let small = RemoteWriteRequest.snappy([Series(labels: [("__name__", "x")], samples: [(1, Self.t0)])])
            try await client.execute(uri: "/api/v1/write", method: .post, headers: RemoteWriteRequest.headers, body: small) { response in
                #expect(response.status == .unauthorized)
            }
            var authorized = RemoteWriteRequest.headers
            authorized[.authorization] = "Bearer s3cret"
            let large = ByteBuffer(bytes: [UInt8](repeating: 7, count: 4096))
            try await client.execute(uri: "/api/v1/write", method: .post, headers: authorized, body: large) { response in
                #expect(response.status == .contentTooLarge)
            }
            #expect(await log.events.isEmpty)
            try await client.execute(uri: "/api/v1/write", method: .post, headers: authorized, body: small) { response in
                #expect(response.status == .noContent)
            }
            #expect(await log.events.count == 1)
        }
    }
}
