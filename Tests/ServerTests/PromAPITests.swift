import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PromQL
import Testing
@testable import Server

@Suite struct PromAPITests {
    private func router(_ app: TachoApp, limits: PromAPIController<BasicRequestContext>.Limits) -> Router<BasicRequestContext> {
        let router = Router()
        PromAPIController(log: app.engine, limits: limits).addRoutes(to: router)
        IngestController(append: { try await app.engine.append($0) }, bodyBytesMax: 1 << 24, token: nil, metrics: app.engine.metrics)
            .addRoutes(to: router)
        return router
    }

    private func call(_ client: some TestClientProtocol, _ uri: String, method: HTTPRequest.Method = .get, form: String? = nil) async throws -> (HTTPResponse.Status, [String: Any]) {
        let headers: HTTPFields = form == nil ? [:] : [.contentType: "application/x-www-form-urlencoded"]
        return try await client.execute(uri: uri, method: method, headers: headers, body: form.map { ByteBuffer(string: $0) }) { response in
            #expect(response.headers[.contentType] == "application/json", "\(uri)")
            return (response.status, try jsonObject(String(buffer: response.body)))
        }
    }

    @Test func pointTimes_areSecondsWithTheirMillisecondsAsPrometheusWritesThem() {
        let cases: [(Int64, String)] = [
            (1_700_000_000_000, "1700000000"), (1_700_000_000_500, "1700000000.5"), (1_700_000_000_120, "1700000000.12"),
            (1_700_000_000_123, "1700000000.123"), (1_700_000_000_001, "1700000000.001"), (0, "0"), (-250, "-0.25"), (-1, "-0.001"),
            (999, "0.999"), (Int64.max, "9223372036854775.807"), (Int64.min, "-9223372036854775.808"),
        ]
        for (ms, text) in cases { #expect(PromAPIJSON.seconds(ms) == text, "\(ms)") }
        var writer = JSONWriter()
        PromAPIJSON.write(.matrix([PromQL.Series(labels: PromQL.Labels(["a": "x<\"y"]), samples: [PromQL.Sample(timestampMs: 1_500, value: 0.25), PromQL.Sample(timestampMs: 2_000, value: .nan)])]), to: &writer)
        #expect(writer.string == #"{"resultType":"matrix","result":[{"metric":{"a":"x\u003c\"y"},"values":[[1.5,"0.25"],[2,"NaN"]]}]}"#)
    }

    @Test func grafanaHealthCheck_andBuildInfo_answerAsPrometheus() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                for method in [HTTPRequest.Method.get, .post] {
                    let (status, body) = try await call(client, method == .get ? "/api/v1/query?query=1%2B1&time=1700000000" : "/api/v1/query",
                                                        method: method, form: method == .post ? "query=1%2B1&time=1700000000" : nil)
                    #expect(status == .ok)
                    #expect(body["status"] as? String == "success")
                    let data = body["data"] as? [String: Any]
                    #expect(data?["resultType"] as? String == "scalar")
                    #expect((data?["result"] as? [Any])?.last as? String == "2")
                    #expect(((data?["result"] as? [Any])?.first as? NSNumber)?.doubleValue == 1_700_000_000)
                }
                let (status, info) = try await call(client, "/api/v1/status/buildinfo")
                #expect(status == .ok)
                #expect((info["data"] as? [String: Any])?["version"] as? String == "2.42.0")
            }
        }
    }

    @Test func seriesLabelsAndMetadata_listTheLogsMetricSeries() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await ingestConformanceSamples(client, app)
                let (_, series) = try await call(client, "/api/v1/series?" + formQuery([("match[]", "up"), ("match[]", #"queue_depth{queue="q1"}"#)]))
                let found = series["data"] as? [[String: String]] ?? []
                #expect(found == [
                    ["__name__": "queue_depth", "instance": "a", "queue": "q1"],
                    ["__name__": "up", "instance": "a", "job": "api"], ["__name__": "up", "instance": "b", "job": "api"],
                ])
                let (_, outside) = try await call(client, "/api/v1/series", method: .post, form: formQuery([("match[]", "up"), ("start", "1600000000"), ("end", "1600000100")]))
                #expect((outside["data"] as? [Any])?.isEmpty == true)
                let (_, names) = try await call(client, "/api/v1/labels")
                #expect(names["data"] as? [String] == ["__name__", "case", "instance", "job", "kind", "le", "method", "queue", "room", "version"])
                let (_, values) = try await call(client, "/api/v1/label/room/values")
                #expect(values["data"] as? [String] == ["kitchen", "office"])
                let (_, metadata) = try await call(client, "/api/v1/metadata")
                let kinds = metadata["data"] as? [String: [[String: String]]]
                #expect(kinds?["http_requests_total"]?.first?["type"] == "counter")
                #expect(kinds?["temperature_celsius"]?.first?["type"] == "gauge")
                let (status, missing) = try await call(client, "/api/v1/series")
                #expect(status == .badRequest)
                #expect(missing["error"] as? String == "no match[] parameter provided")
            }
        }
    }

    @Test(arguments: [
        ("/api/v1/query?query=sum(", HTTPResponse.Status.badRequest, "bad_data", "parse error"),
        ("/api/v1/query?query=nosuch(up)", .badRequest, "bad_data", #"unknown function with name "nosuch""#),
        ("/api/v1/query?query=histogram_sum(up)", .badRequest, "bad_data", "not supported"),
        ("/api/v1/query?query=up&time=yesterday", .badRequest, "bad_data", #"invalid parameter "time""#),
        ("/api/v1/query_range?query=up&start=10&end=5&step=1", .badRequest, "bad_data", "end timestamp must not be before start time"),
        ("/api/v1/query_range?query=up&start=0&end=100000&step=1", .badRequest, "bad_data", "exceeded maximum resolution"),
        ("/api/v1/query_range?query=up[5m]&start=0&end=10&step=1", .badRequest, "bad_data", "invalid expression type"),
        ("/api/v1/query?query=%7B__name__%3D~%22.%2B%22%7D%5B1h%5D&time=1700003600", HTTPResponse.Status(code: 422), "execution", "too many samples"),
        ("/api/v1/query?query=up%2Bon()%20up&time=1700000600", HTTPResponse.Status(code: 422), "execution", "many-to-many matching not allowed"),
    ] as [(String, HTTPResponse.Status, String, String)])
    func badQuery_answersPrometheusErrorType_andTheServerKeepsAnswering(uri: String, status: HTTPResponse.Status, errorType: String, message: String) async throws {
        var limits = PromAPIController<BasicRequestContext>.Limits()
        limits.samplesMax = 1000
        try await withRunningEngine { app in
            try await Application(router: router(app, limits: limits)).test(.router) { client in
                try await ingestConformanceSamples(client, app)
                let (answered, body) = try await call(client, uri)
                #expect(answered == status, "\(uri)")
                #expect(body["status"] as? String == "error")
                #expect(body["errorType"] as? String == errorType, "\(uri): \(body)")
                #expect((body["error"] as? String ?? "").contains(message), "\(uri): \(body)")
                let (after, _) = try await call(client, "/api/v1/query?query=count(up)&time=1700000600")
                #expect(after == .ok)
            }
        }
    }

    @Test func slowQuery_pastItsTimeout_isATimeoutError() async throws {
        try await withRunningEngine { app in
            try await Application(router: router(app, limits: .init())).test(.router) { client in
                try await ingestConformanceSamples(client, app)
                // 11,000 steps of a subquery of 600 steps each: far beyond 1 ms.
                let uri = "/api/v1/query_range?" + formQuery([
                    ("query", "max_over_time(rate(http_requests_total[5m])[1h:1s])"), ("start", "1700000000"), ("end", "1700010000"),
                    ("step", "1"), ("timeout", "1ms"),
                ])
                let (status, body) = try await call(client, uri)
                #expect(status == .serviceUnavailable)
                #expect(body["errorType"] as? String == "timeout")
                let (after, _) = try await call(client, "/api/v1/query?query=1")
                #expect(after == .ok)
            }
        }
    }

    @Test func backfilledSamples_appendedAfterNewerOnes_areFoundByTime() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                let newer = #"{"type":"metric","ts":1700007200000000000,"name":"late","labels":{"part":"newer"},"value":2}"#
                let older = #"{"type":"metric","ts":1700000000000000000,"name":"late","labels":{"part":"older"},"value":1}"#
                for body in [newer, older] {
                    let status = try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: body)) { $0.status }
                    #expect(status == .ok)
                }
                #expect(await app.engine.waitUntilIdle())
                let (_, body) = try await call(client, "/api/v1/query?query=late&time=1700000060")
                let result = (body["data"] as? [String: Any])?["result"] as? [[String: Any]]
                #expect(result?.map { $0["metric"] as? [String: String] } == [["__name__": "late", "part": "older"]])
            }
        }
    }

    @Test func rollups_moved_toTheirOwnPath() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await ingestConformanceSamples(client, app)
                let rollups = try await client.execute(uri: "/api/v1/rollups?name=up&labels=instance=a,job=api&from=2023-11-14T22:13:20Z&step=1m", method: .get) {
                    ($0.status, try jsonObject(String(buffer: $0.body)))
                }
                #expect(rollups.0 == .ok)
                #expect(!rollups.1.isEmpty)
                let (status, body) = try await call(client, "/api/v1/series?match[]=up")
                #expect(status == .ok)
                #expect((body["data"] as? [Any])?.count == 2)
            }
        }
    }
}
